package dev.gatehouse.server.keycloak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.PushedAuthorizationResponse;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.dpop.DefaultDPoPProofFactory;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.AccessTokenType;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.DPoPAccessToken;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import dev.gatehouse.server.testing.keycloak.BrowserLogin;
import dev.gatehouse.server.testing.keycloak.Keycloak;
import dev.gatehouse.server.testing.keycloak.KeycloakExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The FAPI 2.0 realm ({@code keycloak/fapi-realm.json}) on the real Keycloak the tests start, with
 * a TPP registered from {@code keycloak/examples/fapi-tpp-registration.json}, driven with the
 * Nimbus OAuth 2.0 SDK: the whole flow, and each request the policies must refuse, with
 * Keycloak's error. The one change to the template: {@code sslRequired} {@code all} becomes
 * {@code external}, because this Keycloak listens on plain HTTP on 127.0.0.1.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FapiRealmOnKeycloakTest {
    private static final String REALM = FapiRealm.REALM;
    private static final String USER = "psu-olivia";
    private static final String PASSWORD = "correct horse battery staple";

    private final Keycloak keycloak;
    private final URI issuer;
    private final URI parEndpoint;
    private final URI authorizationEndpoint;
    private final URI tokenEndpoint;
    /**
     * The client attributes of the registration example that say again what the policy enforces.
     * The {@code bare} TPP is registered without them and then updated once through the admin API,
     * so that the policy's executors configure it (they act on client updates, not on a partial import).
     */
    private static final List<String> RULES_OF_THE_POLICY = List.of(
            "require.pushed.authorization.requests", "pkce.code.challenge.method", "dpop.bound.access.tokens");

    /** Registered from the example as it is. */
    private FapiTpp tpp;
    /** Registered from the example without {@link #RULES_OF_THE_POLICY}, then updated once. */
    private FapiTpp bare;

    FapiRealmOnKeycloakTest(Keycloak keycloak) {
        this.keycloak = keycloak;
        this.issuer = URI.create(keycloak.issuer(REALM));
        this.parEndpoint = URI.create(issuer + "/protocol/openid-connect/ext/par/request");
        this.authorizationEndpoint = URI.create(issuer + "/protocol/openid-connect/auth");
        this.tokenEndpoint = URI.create(issuer + "/protocol/openid-connect/token");
    }

    @BeforeAll
    void importRealmAndRegisterTpp() {
        ObjectNode realm = (ObjectNode) FapiTpp.json(FapiRealm.json());
        assertThat(realm.path("sslRequired").asText()).isEqualTo("all");
        realm.put("sslRequired", "external");
        keycloak.admin("POST", "/admin/realms", realm.toString(), 201);
        keycloak.createUser(REALM, USER, PASSWORD, Map.of());
        tpp = register(FapiTpp.unique("tpp"), List.of());
        bare = register(FapiTpp.unique("tpp-bare"), RULES_OF_THE_POLICY);
        updateOnce(bare);
    }

    @Test
    void fullFlow_parWithSignedRequestObject_loginForm_jarm_dpopBoundAccessToken() throws Exception {
        CodeVerifier verifier = new CodeVerifier();
        State state = new State();
        URI requestUri = pushed(tpp, tpp.authorization(state, verifier, CodeChallengeMethod.S256).build());

        URI callback = BrowserLogin.grantingConsent().authorize(authorizeByReference(tpp, requestUri), USER, PASSWORD);

        assertThat(callback.toString()).startsWith(FapiTpp.REDIRECT_URI + "?response=");
        JarmResponse jarm = jarm(tpp, callback);
        assertThat(jarm.state()).isEqualTo(state.getValue());
        AuthorizationCode code = new AuthorizationCode(jarm.code());

        ECKey dpopKey = new ECKeyGenerator(Curve.P_256).generate();
        HTTPRequest tokenRequest = tpp.tokenRequest(tokenEndpoint, tpp.privateKeyJwt(), code, verifier);
        tokenRequest.setDPoP(new DefaultDPoPProofFactory(dpopKey, JWSAlgorithm.ES256).createDPoPJWT("POST", tokenEndpoint));
        TokenResponse response = TokenResponse.parse(tokenRequest.send());

        assertThat(response.indicatesSuccess()).as(describe(response)).isTrue();
        AccessTokenResponse tokens = response.toSuccessResponse();
        assertThat(tokens.getTokens().getAccessToken().getType()).isEqualTo(AccessTokenType.DPOP);
        JWTClaimsSet access = SignedJWT.parse(tokens.getTokens().getAccessToken().getValue()).getJWTClaimsSet();
        assertThat(access.getIssuer()).isEqualTo(issuer.toString());
        assertThat(access.getStringClaim("azp")).isEqualTo(tpp.clientId().getValue());
        assertThat(access.getJSONObjectClaim("cnf")).containsEntry("jkt", dpopKey.computeThumbprint().toString());
        assertThat(SignedJWT.parse(tokens.getTokens().getAccessToken().getValue()).getHeader().getAlgorithm())
                .isEqualTo(JWSAlgorithm.PS256);

        // The token is good only with a proof of that key: at the userinfo endpoint with a DPoP proof, not as a bearer token.
        URI userinfo = URI.create(issuer + "/protocol/openid-connect/userinfo");
        DPoPAccessToken token = (DPoPAccessToken) tokens.getTokens().getAccessToken();
        HTTPRequest withProof = new UserInfoRequest(userinfo, token).toHTTPRequest();
        withProof.setDPoP(new DefaultDPoPProofFactory(dpopKey, JWSAlgorithm.ES256).createDPoPJWT("GET", userinfo, token));
        HTTPResponse bound = withProof.send();
        HTTPResponse bearer = new UserInfoRequest(userinfo, new BearerAccessToken(token.getValue())).toHTTPRequest().send();
        assertThat(bound.getStatusCode()).as(bound.getBody()).isEqualTo(200);
        assertThat(bound.getBodyAsJSONObject()).containsEntry("preferred_username", USER);
        assertThat(bearer.getStatusCode()).isEqualTo(401);
    }

    @Test
    void tokenRequestWithoutDpopProof_refused() throws Exception {
        for (FapiTpp client : List.of(tpp, bare)) {
            CodeVerifier verifier = new CodeVerifier();
            URI requestUri = pushed(client, client.authorization(new State(), verifier, CodeChallengeMethod.S256).build());
            URI callback = BrowserLogin.grantingConsent().authorize(authorizeByReference(client, requestUri), USER, PASSWORD);
            AuthorizationCode code = new AuthorizationCode(jarm(client, callback).code());

            ErrorObject error = tokenError(client.tokenRequest(tokenEndpoint, client.privateKeyJwt(), code, verifier));

            // The response says invalid_request; Keycloak's event log says invalid_dpop_proof.
            assertThat(error.getCode()).as(error.toJSONObject().toString()).isEqualTo("invalid_request");
            assertThat(error.getDescription()).as(client.clientId().getValue()).isEqualTo("DPoP proof is missing");
        }
    }

    @Test
    void authorizationRequestWithoutPar_refused() {
        for (FapiTpp client : List.of(tpp, bare)) {
            var request = client.authorization(new State(), new CodeVerifier(), CodeChallengeMethod.S256).build();

            String refusal = frontChannel(authorizeByValue(client, request));

            assertThat(refusal).as("secure-par-content of the FAPI 2.0 profile").startsWith("HTTP 400 ")
                    .contains("request_uri not included.");
        }
    }

    @Test
    void parWithoutPkce_refused() {
        for (FapiTpp client : List.of(tpp, bare)) {
            ErrorObject error = parError(client, client.authorization(new State(), null, null).build());

            assertThat(error.getCode()).isEqualTo("invalid_request");
            assertThat(error.getDescription()).as(client.clientId().getValue())
                    .isEqualTo("Missing parameter: code_challenge_method");
        }
    }

    @Test
    void parWithPlainPkce_refused() {
        for (FapiTpp client : List.of(tpp, bare)) {
            var request = client.authorization(new State(), new CodeVerifier(), CodeChallengeMethod.PLAIN).build();

            ErrorObject error = parError(client, request);

            assertThat(error.getCode()).isEqualTo("invalid_request");
            assertThat(error.getDescription()).as(client.clientId().getValue())
                    .isEqualTo("Invalid parameter: code challenge method is not matching the configured one");
        }
    }

    @Test
    void clientUpdatedUnderThePolicy_isConfiguredByIt() {
        JsonNode client = clientRepresentation(bare);

        assertThat(client.path("attributes").path("pkce.code.challenge.method").asText()).isEqualTo("S256");
        assertThat(client.path("attributes").path("dpop.bound.access.tokens").asText()).isEqualTo("true");
        assertThat(client.path("attributes").has("require.pushed.authorization.requests"))
                .as("no executor sets it; secure-par-content enforces PAR without it").isFalse();
    }

    /**
     * Keycloak 26.4: a client that only a partial import created, without the example's attributes,
     * is under the policy at run time but was never configured by it: PKCE is enforced (at the
     * authorization endpoint, not at PAR) but its access tokens are not bound to a DPoP key. Hence
     * the example carries the attributes, and docs/keycloak.md says to register with them.
     */
    @Test
    void clientOnlyImportedWithoutTheAttributes_getsPkceFromThePolicy_butNoDpopBinding() throws Exception {
        FapiTpp imported = register(FapiTpp.unique("tpp-imported"), RULES_OF_THE_POLICY);
        URI withoutPkce = pushed(imported, imported.authorization(new State(), null, null).build());
        CodeVerifier verifier = new CodeVerifier();
        URI requestUri = pushed(imported, imported.authorization(new State(), verifier, CodeChallengeMethod.S256).build());
        URI callback = BrowserLogin.grantingConsent().authorize(authorizeByReference(imported, requestUri), USER, PASSWORD);
        AuthorizationCode code = new AuthorizationCode(jarm(imported, callback).code());

        String refusal = frontChannel(authorizeByReference(imported, withoutPkce));
        TokenResponse tokens = TokenResponse.parse(
                imported.tokenRequest(tokenEndpoint, imported.privateKeyJwt(), code, verifier).send());

        assertThat(refusal).contains("Missing parameter: code_challenge_method");
        assertThat(tokens.indicatesSuccess()).as("Keycloak issues a token without a DPoP proof to this client").isTrue();
        assertThat(tokens.toSuccessResponse().getTokens().getAccessToken().getType()).isEqualTo(AccessTokenType.BEARER);
    }

    @Test
    void parWithoutJarm_refused() throws Exception {
        for (FapiTpp client : List.of(tpp, bare)) {
            var request = new com.nimbusds.oauth2.sdk.AuthorizationRequest.Builder(
                    client.authorization(new State(), new CodeVerifier(), CodeChallengeMethod.S256).build())
                    .responseMode(null).build();
            URI requestUri = pushed(client, request);

            String refusal = frontChannel(authorizeByReference(client, requestUri));

            assertThat(refusal).as("secure-response-type: code only with response_mode=jwt")
                    .contains("error=invalid_request").contains("invalid+response_type");
        }
    }

    @Test
    void clientSecretAuthentication_refused() throws Exception {
        String secret = "a-long-shared-secret-0123456789";
        var request = tpp.authorization(new State(), new CodeVerifier(), CodeChallengeMethod.S256).build();
        ErrorObject wrongMethod = PushedAuthorizationResponse.parse(
                tpp.pushed(parEndpoint, tpp.clientSecret(secret), request).send()).toErrorResponse().getErrorObject();
        // Keycloak answers invalid_request (not RFC 6749's invalid_client) and logs invalid_client_credentials.
        assertThat(wrongMethod.getCode()).as(wrongMethod.toJSONObject().toString()).isEqualTo("invalid_request");
        assertThat(wrongMethod.getDescription()).isEqualTo("Authentication failed.");

        // A TPP registered with a secret but bound to the policies: Keycloak 26.4 accepts its PAR (the
        // secure-client-authenticator executor does not run there) and refuses it at the token endpoint.
        FapiTpp secretTpp = new FapiTpp(FapiTpp.unique("tpp-secret"), issuer);
        keycloak.admin("POST", "/admin/realms/" + REALM + "/partialImport", secretTpp.registrationWithSecret(secret), 200);
        CodeVerifier verifier = new CodeVerifier();
        PushedAuthorizationResponse pushed = PushedAuthorizationResponse.parse(secretTpp.pushed(parEndpoint,
                secretTpp.clientSecret(secret), secretTpp.authorization(new State(), verifier, CodeChallengeMethod.S256)
                        .build()).send());
        assertThat(pushed.indicatesSuccess()).isTrue();
        URI callback = BrowserLogin.grantingConsent().authorize(
                authorizeByReference(secretTpp, pushed.toSuccessResponse().getRequestURI()), USER, PASSWORD);
        HTTPRequest tokenRequest = secretTpp.tokenRequest(tokenEndpoint, secretTpp.clientSecret(secret),
                new AuthorizationCode(jarm(secretTpp, callback).code()), verifier);
        tokenRequest.setDPoP(new DefaultDPoPProofFactory(new ECKeyGenerator(Curve.P_256).generate(), JWSAlgorithm.ES256)
                .createDPoPJWT("POST", tokenEndpoint));
        ErrorObject error = tokenError(tokenRequest);

        // The response says invalid_grant; Keycloak's event log says invalid_request (client_policy_error).
        assertThat(error.getCode()).as(error.toJSONObject().toString()).isEqualTo("invalid_grant");
        assertThat(error.getDescription()).isEqualTo("Configured client authentication method not allowed for client");
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** Registers a TPP from the example, without the client attributes named. */
    private FapiTpp register(String clientId, List<String> attributesLeftOut) {
        FapiTpp registered = new FapiTpp(clientId, issuer);
        ObjectNode registration = (ObjectNode) FapiTpp.json(registered.registration());
        ((ObjectNode) registration.path("clients").get(0).path("attributes")).remove(attributesLeftOut);
        keycloak.admin("POST", "/admin/realms/" + REALM + "/partialImport", registration.toString(), 200);
        return registered;
    }

    /** GET and PUT the client unchanged: Keycloak runs the client policies' update executors on it. */
    private void updateOnce(FapiTpp client) {
        JsonNode representation = clientRepresentation(client);
        keycloak.admin("PUT", "/admin/realms/" + REALM + "/clients/" + representation.path("id").asText(),
                representation.toString(), 204);
    }

    private JsonNode clientRepresentation(FapiTpp client) {
        return FapiTpp.json(keycloak.admin("GET", "/admin/realms/" + REALM + "/clients?clientId="
                + client.clientId().getValue(), null, 200)).get(0);
    }

    private URI pushed(FapiTpp client, com.nimbusds.oauth2.sdk.AuthorizationRequest request) throws Exception {
        PushedAuthorizationResponse response = PushedAuthorizationResponse.parse(
                client.pushed(parEndpoint, client.privateKeyJwt(), request).send());
        assertThat(response.indicatesSuccess()).as(() -> response.toErrorResponse().getErrorObject().toString()).isTrue();
        return response.toSuccessResponse().getRequestURI();
    }

    private ErrorObject parError(FapiTpp client, com.nimbusds.oauth2.sdk.AuthorizationRequest request) {
        try {
            PushedAuthorizationResponse response = PushedAuthorizationResponse.parse(
                    client.pushed(parEndpoint, client.privateKeyJwt(), request).send());
            assertThat(response.indicatesSuccess()).as("the PAR endpoint accepted it").isFalse();
            return response.toErrorResponse().getErrorObject();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private JarmResponse jarm(FapiTpp client, URI callback) {
        return JarmResponse.verify(callback, URI.create(issuer + "/protocol/openid-connect/certs"), issuer.toString(),
                client.clientId().getValue());
    }

    /** The front-channel authorization request with the signed request object in it: no PAR. */
    private URI authorizeByValue(FapiTpp client, com.nimbusds.oauth2.sdk.AuthorizationRequest request) {
        return URI.create(authorizationEndpoint + "?" + URLUtils.serializeParameters(Map.of(
                "client_id", List.of(client.clientId().getValue()),
                "request", List.of(client.requestObject(request).serialize()))));
    }

    private static ErrorObject tokenError(HTTPRequest tokenRequest) throws Exception {
        TokenResponse response = TokenResponse.parse(tokenRequest.send());
        assertThat(response.indicatesSuccess()).as("the token endpoint issued tokens").isFalse();
        return response.toErrorResponse().getErrorObject();
    }

    private URI authorizeByReference(FapiTpp client, URI requestUri) {
        return URI.create(authorizationEndpoint + "?" + URLUtils.serializeParameters(Map.of(
                "client_id", List.of(client.clientId().getValue()), "request_uri", List.of(requestUri.toString()))));
    }

    /** What Keycloak answers a browser opening {@code uri}: the redirect's Location (a JARM error decoded) or the page. */
    private static String frontChannel(URI uri) {
        try (HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            String location = response.headers().firstValue("Location").orElse("");
            String jarm = "";
            int at = location.indexOf("response=");
            if (at >= 0) {
                jarm = com.nimbusds.jose.JWSObject.parse(location.substring(at + "response=".length()).split("&")[0])
                        .getPayload().toString();
            }
            return "HTTP " + response.statusCode() + " Location: " + location + " JARM: " + jarm + " body: "
                    + response.body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String describe(TokenResponse response) {
        return response.indicatesSuccess() ? "success" : response.toErrorResponse().getErrorObject().toString();
    }

}
