package dev.gatehouse.server.console;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.token.Tokens;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.verify.TokenRejectedException;
import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.identity.IdentityConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signing in to the console through Keycloak: OpenID Connect authorization code with PKCE (S256),
 * Gatehouse as the client (backend-for-frontend). The code is exchanged here, the access token verified
 * exactly as any caller's ({@code identity.*}: issuer, audience, organization), and only the principal
 * kept; no token reaches the browser. Realms are those of {@code identity.keycloak.issuers}. Blocking
 * (discovery and the token request go to Keycloak): call off the event loop. Thread-safe.
 */
final class KeycloakSignIn {
    static final int HTTP_TIMEOUT_MILLIS = 10_000;
    static final Duration RETRY_DISCOVERY_AFTER = Duration.ofSeconds(30);

    private final List<URI> issuers;
    private final ConsoleConfig config;
    private final URI redirectUri;
    private final URI consoleUrl;
    private final TokenVerifier callers;
    private final Map<URI, OIDCProviderMetadata> metadata = new ConcurrentHashMap<>();
    private final Map<URI, Long> discoveryFailedAt = new ConcurrentHashMap<>();

    /**
     * @param publicUrl {@code server.publicUrl}; the callback is {@code <publicUrl>/console/callback}
     * @param callers verifies the access tokens of every configured realm
     */
    KeycloakSignIn(IdentityConfig identity, ConsoleConfig config, URI publicUrl, TokenVerifier callers) {
        this.issuers = List.copyOf(identity.issuers());
        this.config = requireNonNull(config, "config");
        String base = publicUrl.toString().replaceAll("/+$", "");
        this.redirectUri = URI.create(base + ConsoleRoutes.CALLBACK_PATH);
        this.consoleUrl = URI.create(base + ConsoleRoutes.BASE);
        this.callers = requireNonNull(callers, "callers");
    }

    /** A realm the console offers to sign in with. */
    record Realm(int index, String name, URI issuer) {}

    List<Realm> realms() {
        List<Realm> realms = new ArrayList<>();
        for (int i = 0; i < issuers.size(); i++) {
            URI issuer = issuers.get(i);
            realms.add(new Realm(i, IdentityConfig.realmOf(issuer).orElse(issuer.getHost()), issuer));
        }
        return realms;
    }

    Optional<Realm> realm(String index) {
        return realms().stream().filter(realm -> String.valueOf(realm.index()).equals(index)).findFirst();
    }

    URI redirectUri() {
        return redirectUri;
    }

    /** Where to send the browser to sign in at {@code realm}, for a sign-in of {@code state} and {@code verifier}. */
    URI authorizationUrl(Realm realm, String state, String verifier) throws SignInException {
        return new AuthorizationRequest.Builder(new ResponseType(ResponseType.Value.CODE), new ClientID(config.keycloakClientId()))
                .endpointURI(metadata(realm.issuer()).getAuthorizationEndpointURI())
                .redirectionURI(redirectUri)
                .scope(new Scope("openid"))
                .state(new State(state))
                .codeChallenge(new CodeVerifier(verifier), CodeChallengeMethod.S256)
                .build()
                .toURI();
    }

    /**
     * The principal of the access token {@code code} is exchanged for, verified as any caller's token,
     * and the name the person goes by there ({@code preferred_username}, else {@code email}).
     */
    SignedIn finish(URI issuer, String code, String verifier, Optional<String> responseIssuer) throws SignInException {
        checkResponseIssuer(issuer, responseIssuer);
        return exchange(issuer, new AuthorizationCodeGrant(new AuthorizationCode(code), redirectUri,
                new CodeVerifier(verifier)), "code_refused");
    }

    /**
     * The principal Keycloak vouches for now, from the session's refresh token: a user disabled, a
     * session ended or a refresh token revoked in Keycloak is refused ({@code refresh_refused}), a role
     * removed shows in the capabilities. The answer holds the next refresh token (Keycloak may rotate it).
     */
    SignedIn refresh(URI issuer, String refreshToken) throws SignInException {
        return exchange(issuer, new RefreshTokenGrant(new RefreshToken(refreshToken)), "refresh_refused");
    }

    private SignedIn exchange(URI issuer, AuthorizationGrant grant, String refusedCode) throws SignInException {
        URI tokenEndpoint = metadata(issuer).getTokenEndpointURI();
        ClientID client = new ClientID(config.keycloakClientId());
        TokenRequest request = config.keycloakClientSecret()
                .map(secret -> new TokenRequest(tokenEndpoint, new ClientSecretBasic(client,
                        new Secret(secret.text())), grant))
                .orElseGet(() -> new TokenRequest(tokenEndpoint, client, grant));
        TokenResponse response;
        try {
            HTTPRequest http = request.toHTTPRequest();
            http.setConnectTimeout(HTTP_TIMEOUT_MILLIS);
            http.setReadTimeout(HTTP_TIMEOUT_MILLIS);
            response = OIDCTokenResponseParser.parse(http.send());
        } catch (IOException | ParseException e) {
            throw new SignInException("keycloak_unavailable", "Keycloak's token endpoint did not answer usably.", e);
        }
        if (!response.indicatesSuccess()) {
            throw new SignInException(refusedCode, "Keycloak refused the sign-in: "
                    + response.toErrorResponse().getErrorObject().getCode() + ".", null);
        }
        Tokens tokens = response.toSuccessResponse().getTokens();
        String accessToken = tokens.getAccessToken().getValue();
        Optional<String> idToken = tokens instanceof OIDCTokens oidc ? Optional.ofNullable(oidc.getIDTokenString())
                : Optional.empty();
        Optional<String> nextRefresh = Optional.ofNullable(tokens.getRefreshToken()).map(RefreshToken::getValue);
        Claims principal;
        try {
            principal = callers.verify(accessToken);
        } catch (TokenRejectedException e) {
            throw new SignInException("token_refused", "Gatehouse refused the token Keycloak issued: "
                    + e.reason().description() + ".", null);
        }
        if (!principal.issuer().equals(issuer.toString())) {
            throw new SignInException("token_refused", "The token came from another issuer than the sign-in.", null);
        }
        if (principal.organization().isEmpty()) {
            throw new SignInException("no_organization", "Your Keycloak account names no single organization"
                    + " (org_id), which every page of the console needs. Ask your administrator.", null);
        }
        return new SignedIn(principal, displayName(accessToken).orElse(principal.subject()), idToken, nextRefresh);
    }

    /**
     * Where to send the browser to end its Keycloak session too, and come back to the console: the
     * realm's {@code end_session_endpoint} with the sign-in's ID token as {@code id_token_hint}, so
     * Keycloak signs out without asking. Empty when the realm publishes no such endpoint.
     */
    Optional<URI> endSessionUrl(URI issuer, String idToken) throws SignInException {
        URI endpoint = metadata(issuer).getEndSessionEndpointURI();
        if (endpoint == null || !sameOrigin(endpoint, issuer)) {
            return Optional.empty();
        }
        return Optional.of(URI.create(endpoint + (endpoint.getRawQuery() == null ? "?" : "&")
                + "client_id=" + encode(config.keycloakClientId())
                + "&id_token_hint=" + encode(idToken)
                + "&post_logout_redirect_uri=" + encode(consoleUrl.toString())));
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && a.getPort() == b.getPort();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * Refuses an authorization response from another realm than the sign-in went to (the mix-up
     * attack, RFC 9207): its {@code iss} must be the sign-in's issuer, and must be there when the
     * realm says it sends one. Checked before the code goes anywhere.
     */
    private void checkResponseIssuer(URI issuer, Optional<String> responseIssuer) throws SignInException {
        if (responseIssuer.isPresent() ? !responseIssuer.get().equals(issuer.toString())
                : metadata(issuer).supportsAuthorizationResponseIssuerParam()) {
            throw new SignInException("issuer_mismatch", "The answer did not come from the realm this sign-in went to."
                    + " Start again.", null);
        }
    }

    /**
     * Who signed in, the name to show them by, Keycloak's ID token of the sign-in (for signing out) and
     * its refresh token (for checking the person again).
     */
    record SignedIn(Claims principal, String displayName, Optional<String> idToken, Optional<String> refreshToken) {}

    /** A readable name from a token {@link #callers} has just verified. */
    private static Optional<String> displayName(String verifiedAccessToken) {
        try {
            JWTClaimsSet claims = JWTParser.parse(verifiedAccessToken).getJWTClaimsSet();
            for (String claim : List.of("preferred_username", "email")) {
                String value = claims.getStringClaim(claim);
                if (value != null && !value.isBlank()) {
                    return Optional.of(value);
                }
            }
            return Optional.empty();
        } catch (java.text.ParseException e) {
            return Optional.empty();
        }
    }

    /**
     * The realm's discovery document, fetched once. A failed fetch is not tried again for
     * {@link #RETRY_DISCOVERY_AFTER}: sign-in starts, which anyone may make, must not each hold a worker
     * thread for the timeouts while Keycloak is away.
     */
    private OIDCProviderMetadata metadata(URI issuer) throws SignInException {
        OIDCProviderMetadata known = metadata.get(issuer);
        if (known != null) {
            return known;
        }
        Long failed = discoveryFailedAt.get(issuer);
        if (failed != null && System.nanoTime() - failed < RETRY_DISCOVERY_AFTER.toNanos()) {
            throw new SignInException("keycloak_unavailable", "Keycloak's discovery document for " + issuer
                    + " could not be read; trying again shortly.", null);
        }
        try {
            OIDCProviderMetadata resolved = OIDCProviderMetadata.resolve(new Issuer(issuer), HTTP_TIMEOUT_MILLIS,
                    HTTP_TIMEOUT_MILLIS);
            metadata.put(issuer, resolved);
            discoveryFailedAt.remove(issuer);
            return resolved;
        } catch (GeneralException | IOException e) {
            discoveryFailedAt.put(issuer, System.nanoTime());
            throw new SignInException("keycloak_unavailable", "Keycloak's discovery document for " + issuer
                    + " could not be read.", e);
        }
    }

    /** A sign-in that cannot go on, with a stable code and a message for the person signing in. */
    static final class SignInException extends Exception {
        private final String code;

        SignInException(String code, String message, Throwable cause) {
            super(message, cause);
            this.code = code;
        }

        String code() {
            return code;
        }
    }
}
