package dev.gatehouse.server.testing.keycloak;

import static dev.gatehouse.server.testing.keycloak.KeycloakExtension.ACME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link BrowserLogin} against the real Keycloak, and the behaviours of Keycloak as a provider's
 * authorization server that a "bring your own subscription" OAuth client relies on: authorization
 * code with PKCE S256 for a public client, single-use codes, rotating refresh tokens, revocation.
 * Keycloak {@code 26.4}, realm {@code acme} from the shared-sovereign template: access tokens live
 * 300 s, the SSO session idles out after 1800 s, and refresh tokens are single-use
 * ({@code revokeRefreshToken: true}, {@code refreshTokenMaxReuse: 0}; Keycloak's own default does
 * not revoke them). Each test has its own user: revocation acts on all of a user's sessions.
 */
class BrowserLoginOnKeycloakTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final String CLIENT = "byos-browser-login";
    /** Nothing listens there: the flow ends with the redirect, which is never requested. */
    private static final String REDIRECT_URI = "http://127.0.0.1:1/callback";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final KeycloakExtension KEYCLOAK = new KeycloakExtension();

    static Keycloak keycloak;

    @BeforeAll
    static void createClient() {
        keycloak = KEYCLOAK.keycloak();
        keycloak.createPkceClient(ACME, CLIENT, REDIRECT_URI);
    }

    @Test
    void codeWithS256Verifier_isExchangedForTokensOnce_andTheSsoSessionSkipsTheFormNextTime() {
        keycloak.createUser(ACME, "browser-alice", PASSWORD, Map.of("org", "acme"));
        BrowserLogin browser = new BrowserLogin();
        Pkce pkce = Pkce.generate();
        String state = random();

        URI callback = browser.authorize(authorizeUrl(state, pkce.challenge()), "browser-alice", PASSWORD);

        assertThat(callback.toString()).startsWith(REDIRECT_URI + "?");
        Map<String, String> query = query(callback);
        assertThat(query).containsOnlyKeys("code", "state", "session_state", "iss")
                .containsEntry("state", state).containsEntry("iss", keycloak.issuer(ACME));
        assertThat(browser.loginFormsSubmitted()).isEqualTo(1);

        HttpResponse<String> exchanged = exchangeCode(query.get("code"), pkce.verifier());
        assertThat(exchanged.statusCode()).as(exchanged.body()).isEqualTo(200);
        JsonNode tokens = json(exchanged);
        assertThat(tokens.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(tokens.path("access_token").asText()).isNotEmpty();
        assertThat(tokens.path("refresh_token").asText()).isNotEmpty();
        assertThat(tokens.path("id_token").asText()).isNotEmpty();
        assertThat(tokens.path("expires_in").asInt()).as("realm accessTokenLifespan").isEqualTo(300);
        // Counted from the SSO session's last refresh (the sign-in), so a second boundary crossed before
        // the exchange makes it 1799.
        assertThat(tokens.path("refresh_expires_in").asInt()).as("realm ssoSessionIdleTimeout").isBetween(1795, 1800);
        assertThat(tokens.path("scope").asText().split(" ")).contains("openid");
        JsonNode access = Keycloak.payload(tokens.path("access_token").asText());
        assertThat(access.path("azp").asText()).isEqualTo(CLIENT);
        assertThat(access.path("exp").asLong() - access.path("iat").asLong()).isEqualTo(300);
        assertThat(Keycloak.payload(tokens.path("refresh_token").asText()).path("typ").asText()).isEqualTo("Refresh");

        assertError(exchangeCode(query.get("code"), pkce.verifier()), 400, "invalid_grant", "Code not valid");

        Pkce second = Pkce.generate();
        String secondState = random();
        URI again = browser.authorize(authorizeUrl(secondState, second.challenge()), "browser-alice", "not used");
        assertThat(browser.loginFormsSubmitted()).as("the SSO cookie answered, no login form").isEqualTo(1);
        assertThat(query(again)).containsEntry("state", secondState).containsKey("code");
        assertThat(exchangeCode(query(again).get("code"), second.verifier()).statusCode()).isEqualTo(200);
    }

    @Test
    void wrongVerifier_isInvalidGrant_andUsesUpTheCode() {
        keycloak.createUser(ACME, "browser-bob", PASSWORD, Map.of("org", "acme"));
        BrowserLogin browser = new BrowserLogin();
        Pkce pkce = Pkce.generate();
        String code = query(browser.authorize(authorizeUrl(random(), pkce.challenge()), "browser-bob", PASSWORD)).get("code");

        HttpResponse<String> wrong = exchangeCode(code, Pkce.generate().verifier());

        assertError(wrong, 400, "invalid_grant", "PKCE verification failed: Code mismatch");
        assertError(exchangeCode(code, pkce.verifier()), 400, "invalid_grant", "Code not valid");
        Pkce next = Pkce.generate();
        String nextCode = query(browser.authorize(authorizeUrl(random(), next.challenge()), "browser-bob", PASSWORD)).get("code");
        assertError(exchangeCode(nextCode, null), 400, "invalid_grant", "PKCE code verifier not specified");
    }

    @Test
    void refresh_rotatesTheRefreshToken_andReusingTheOldOneDetachesTheClient() {
        String userId = keycloak.createUser(ACME, "browser-carol", PASSWORD, Map.of("org", "acme"));
        BrowserLogin browser = new BrowserLogin();
        JsonNode tokens = signIn(browser, "browser-carol");
        String first = tokens.path("refresh_token").asText();

        HttpResponse<String> refreshed = refresh(first);

        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        String second = json(refreshed).path("refresh_token").asText();
        assertThat(second).isNotEmpty().isNotEqualTo(first);
        assertThat(json(refreshed).path("access_token").asText()).isNotEqualTo(tokens.path("access_token").asText());
        assertThat(json(refreshed).path("expires_in").asInt()).isEqualTo(300);
        assertError(refresh(first), 400, "invalid_grant", "Maximum allowed refresh token reuse exceeded");
        assertError(refresh(second), 400, "invalid_grant", "Session doesn't have required client");
        JsonNode sessions = sessions(userId);
        assertThat(sessions).as("the SSO session outlives the detached client").hasSize(1);
        assertThat(sessions.get(0).path("clients").isEmpty()).as(sessions.toString()).isTrue();
        signIn(browser, "browser-carol");
        assertThat(browser.loginFormsSubmitted()).as("signed in again through the SSO session").isEqualTo(1);
    }

    @Test
    void revokedRefreshToken_isRefused_andEndsTheUsersSession() {
        String userId = keycloak.createUser(ACME, "browser-dave", PASSWORD, Map.of("org", "acme"));
        keycloak.createTestClient(ACME, "byos-other-client", null);
        BrowserLogin browser = new BrowserLogin();
        JsonNode tokens = signIn(browser, "browser-dave");
        String refreshToken = tokens.path("refresh_token").asText();
        assertThat(sessions(userId)).hasSize(1);
        assertError(revoke(refreshToken, "byos-other-client"), 400, "invalid_request", "Unmatching clients");

        HttpResponse<String> revoked = revoke(refreshToken, CLIENT);

        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        assertThat(revoked.body()).isEmpty();
        assertError(refresh(refreshToken), 400, "invalid_grant", "Session not active");
        assertThat(sessions(userId)).as("the user's only session ended with its only client").isEmpty();
        HttpResponse<String> userinfo = send(HttpRequest.newBuilder(URI.create(keycloak.issuer(ACME)
                + "/protocol/openid-connect/userinfo")).header("Authorization", "Bearer "
                + tokens.path("access_token").asText()).GET().build());
        assertThat(userinfo.statusCode()).isEqualTo(401);
        assertThat(userinfo.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(challenge ->
                assertThat(challenge).contains("error=\"invalid_token\"", "user_session_not_found"));
        HttpResponse<String> revokedAgain = revoke(refreshToken, CLIENT);
        assertThat(revokedAgain.statusCode()).as("RFC 7009: revoking an invalid token is not an error").isEqualTo(200);
        assertThat(json(revokedAgain).path("error").asText()).as("but Keycloak says so in the body").isEqualTo("invalid_token");

        browser.authorize(authorizeUrl(random(), Pkce.generate().challenge()), "browser-dave", PASSWORD);
        assertThat(browser.loginFormsSubmitted()).as("no SSO session left: the login form again").isEqualTo(2);
    }

    @Test
    void wrongPassword_authorizeFailsWithKeycloaksMessage() {
        keycloak.createUser(ACME, "browser-erin", PASSWORD, Map.of("org", "acme"));
        BrowserLogin browser = new BrowserLogin();
        URI authorizeUrl = authorizeUrl(random(), Pkce.generate().challenge());

        assertThatThrownBy(() -> browser.authorize(authorizeUrl, "browser-erin", "wrong " + PASSWORD))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("signing in as browser-erin did not lead back to the client: HTTP 200 from POST "
                        + keycloak.issuer(ACME) + "/login-actions/authenticate: \"Invalid username or password.\"")
                .hasMessageNotContaining(PASSWORD);
        assertThat(browser.loginFormsSubmitted()).isEqualTo(1);
    }

    @Test
    void authorizeWithoutPkce_redirectsWithAnError_beforeAnyLoginForm() {
        BrowserLogin browser = new BrowserLogin();
        String state = random();
        URI withoutChallenge = URI.create(keycloak.authorizationEndpoint(ACME) + "?" + form(
                "response_type", "code", "client_id", CLIENT, "redirect_uri", REDIRECT_URI,
                "scope", "openid", "state", state));

        URI callback = browser.authorize(withoutChallenge, "nobody", "unused");

        assertThat(callback.toString()).startsWith(REDIRECT_URI + "?");
        assertThat(query(callback)).containsEntry("error", "invalid_request")
                .containsEntry("error_description", "Missing parameter: code_challenge_method")
                .containsEntry("state", state).doesNotContainKey("code");
        assertThat(browser.loginFormsSubmitted()).isZero();
    }

    @Test
    void unregisteredRedirectUri_failsOnKeycloaksErrorPage() {
        BrowserLogin browser = new BrowserLogin();
        URI authorizeUrl = URI.create(keycloak.authorizationEndpoint(ACME) + "?" + form(
                "response_type", "code", "client_id", CLIENT, "redirect_uri", REDIRECT_URI + "/elsewhere",
                "scope", "openid", "state", random(), "code_challenge", Pkce.generate().challenge(),
                "code_challenge_method", "S256"));

        assertThatThrownBy(() -> browser.authorize(authorizeUrl, "nobody", "unused"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Keycloak answered HTTP 400 from GET " + keycloak.authorizationEndpoint(ACME)
                        + ": \"Invalid parameter: redirect_uri\"");
        assertThat(browser.loginFormsSubmitted()).isZero();
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** PKCE S256 (RFC 7636): a 43-character verifier and its challenge. */
    private record Pkce(String verifier, String challenge) {
        static Pkce generate() {
            String verifier = random();
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
                return new Pkce(verifier, Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
            } catch (NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Logs in with a fresh code and returns the token response. */
    private static JsonNode signIn(BrowserLogin browser, String username) {
        Pkce pkce = Pkce.generate();
        URI callback = browser.authorize(authorizeUrl(random(), pkce.challenge()), username, PASSWORD);
        HttpResponse<String> exchanged = exchangeCode(query(callback).get("code"), pkce.verifier());
        assertThat(exchanged.statusCode()).as(exchanged.body()).isEqualTo(200);
        return json(exchanged);
    }

    private static URI authorizeUrl(String state, String challenge) {
        return URI.create(keycloak.authorizationEndpoint(ACME) + "?" + form(
                "response_type", "code", "client_id", CLIENT, "redirect_uri", REDIRECT_URI, "scope", "openid",
                "state", state, "code_challenge", challenge, "code_challenge_method", "S256"));
    }

    private static HttpResponse<String> exchangeCode(String code, String verifierOrNull) {
        Map<String, String> fields = new LinkedHashMap<>(Map.of("grant_type", "authorization_code", "code", code,
                "redirect_uri", REDIRECT_URI, "client_id", CLIENT));
        if (verifierOrNull != null) {
            fields.put("code_verifier", verifierOrNull);
        }
        return post(keycloak.tokenEndpoint(ACME), encode(fields));
    }

    private static HttpResponse<String> revoke(String refreshToken, String clientId) {
        return post(keycloak.revocationEndpoint(ACME), form(
                "token", refreshToken, "token_type_hint", "refresh_token", "client_id", clientId));
    }

    private static void assertError(HttpResponse<String> response, int status, String error, String description) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = json(response);
        assertThat(body.path("error").asText()).as(response.body()).isEqualTo(error);
        assertThat(body.path("error_description").asText()).as(response.body()).isEqualTo(description);
    }

    private static HttpResponse<String> refresh(String refreshToken) {
        return post(keycloak.tokenEndpoint(ACME), form(
                "grant_type", "refresh_token", "refresh_token", refreshToken, "client_id", CLIENT));
    }

    private static JsonNode sessions(String userId) {
        try {
            return JSON.readTree(keycloak.admin("GET", "/admin/realms/" + ACME + "/users/" + userId + "/sessions", null, 200));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> post(URI uri, String formBody) {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(formBody)).build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (HTTP " + response.statusCode() + "): " + response.body(), e);
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int equals = pair.indexOf('=');
            parameters.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
        }
        return parameters;
    }

    private static String form(String... namesAndValues) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return encode(fields);
    }

    private static String encode(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
