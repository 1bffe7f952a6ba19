package dev.gatehouse.server.byos;

import static java.util.Objects.requireNonNull;

import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Token;
import com.nimbusds.oauth2.sdk.token.Tokens;
import dev.gatehouse.server.http.Shown;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One provider's OAuth 2.0 client, on the Nimbus OAuth 2.0 SDK: authorization requests with PKCE
 * S256, the code exchange, refresh and RFC 7009 revocation. A confidential client authenticates with
 * HTTP Basic; a public one sends its client id. Every call blocks on the network (bounded by {@link
 * #TIMEOUT}): call it off the event loop. Thread-safe.
 */
final class ProviderClient {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ByosProvider.OAuth oauth;
    private final ClientID clientId;
    private final Optional<Secret> clientSecret;
    private final Clock clock;

    ProviderClient(ByosProvider.OAuth oauth, Optional<String> clientSecret, Clock clock) {
        this.oauth = requireNonNull(oauth, "oauth");
        this.clientId = new ClientID(oauth.clientId());
        this.clientSecret = requireNonNull(clientSecret, "clientSecret").map(Secret::new);
        this.clock = requireNonNull(clock, "clock");
    }

    /** A fresh random PKCE code verifier, as text. */
    static String newVerifier() {
        return new CodeVerifier().getValue();
    }

    /** The URL the user's browser is sent to: code flow, the configured scopes, {@code state}, PKCE S256. */
    URI authorizationUrl(String state, String verifier) {
        AuthorizationRequest.Builder request = new AuthorizationRequest.Builder(ResponseType.CODE, clientId)
                .endpointURI(oauth.authorizeUrl())
                .redirectionURI(oauth.redirectUri())
                .state(new State(state))
                .codeChallenge(new CodeVerifier(verifier), CodeChallengeMethod.S256);
        if (!oauth.scopes().isEmpty()) {
            request.scope(new Scope(oauth.scopes().toArray(String[]::new)));
        }
        return request.build().toURI();
    }

    /** Exchanges an authorization code, with the verifier of its request. */
    Grant exchange(String code, String verifier) throws ProviderException {
        return token(new AuthorizationCodeGrant(new AuthorizationCode(code), oauth.redirectUri(),
                new CodeVerifier(verifier)), oauth.scopes());
    }

    /** Refreshes an access token; a response without scopes keeps {@code grantedScopes}. */
    Grant refresh(String refreshToken, List<String> grantedScopes) throws ProviderException {
        return token(new RefreshTokenGrant(new RefreshToken(refreshToken)), grantedScopes);
    }

    /** Whether the provider has an RFC 7009 revocation endpoint. */
    boolean canRevoke() {
        return oauth.revocationUrl().isPresent();
    }

    /** Revokes {@code token} (a refresh token revokes the grant) at the provider's revocation endpoint. */
    void revoke(String token, boolean refreshToken) throws ProviderException {
        Token revoked = refreshToken ? new RefreshToken(token) : new BearerAccessToken(token);
        TokenRevocationRequest request = clientSecret.isPresent()
                ? new TokenRevocationRequest(oauth.revocationUrl().get(), new ClientSecretBasic(clientId, clientSecret.get()), revoked)
                : new TokenRevocationRequest(oauth.revocationUrl().get(), clientId, revoked);
        HTTPResponse response = send(request.toHTTPRequest());
        if (!response.indicatesSuccess()) {
            throw new ProviderException("The provider's revocation endpoint answered " + response.getStatusCode() + ".",
                    false);
        }
    }

    private Grant token(AuthorizationGrant grant, List<String> defaultScopes) throws ProviderException {
        TokenRequest request = clientSecret.isPresent()
                ? new TokenRequest(oauth.tokenUrl(), new ClientSecretBasic(clientId, clientSecret.get()), grant)
                : new TokenRequest(oauth.tokenUrl(), clientId, grant);
        Instant now = clock.instant();
        TokenResponse response;
        try {
            response = TokenResponse.parse(send(request.toHTTPRequest()));
        } catch (ParseException e) {
            throw new ProviderException("The provider's token endpoint answered something that is not an OAuth"
                    + " token response.", false);
        }
        if (!response.indicatesSuccess()) {
            ErrorObject error = ((TokenErrorResponse) response).getErrorObject();
            String code = error.getCode() == null ? "no error code" : Shown.text(error.getCode());
            if (OAuth2Error.INVALID_GRANT_CODE.equals(error.getCode())) {
                throw new ProviderException("The provider refused: " + code + ".", true);
            }
            throw new ProviderException("The provider answered " + code + " (HTTP " + error.getHTTPStatusCode() + ").",
                    false);
        }
        Tokens tokens = response.toSuccessResponse().getTokens();
        AccessToken access = tokens.getAccessToken();
        return new Grant(access.getValue(), Optional.ofNullable(tokens.getRefreshToken()).map(RefreshToken::getValue),
                access.getLifetime() > 0 ? Optional.of(now.plusSeconds(access.getLifetime())) : Optional.empty(),
                access.getScope() == null ? defaultScopes : access.getScope().toStringList());
    }

    private static HTTPResponse send(HTTPRequest request) throws ProviderException {
        request.setConnectTimeout((int) TIMEOUT.toMillis());
        request.setReadTimeout((int) TIMEOUT.toMillis());
        // A token endpoint answers; a redirect would carry the code or a refresh token elsewhere.
        request.setFollowRedirects(false);
        try {
            return request.send();
        } catch (IOException e) {
            throw new ProviderException("The provider could not be reached.", false);
        }
    }

    /**
     * What a token endpoint granted.
     *
     * @param accessToken a credential: never logged
     * @param refreshToken a credential, if one was issued (or rotated)
     * @param expiresAt when the access token expires, if the provider said
     * @param scopes the scopes granted
     */
    record Grant(String accessToken, Optional<String> refreshToken, Optional<Instant> expiresAt, List<String> scopes) {
        @Override
        public String toString() {
            return "Grant[tokens=redacted, expiresAt=" + expiresAt + ", scopes=" + scopes + "]";
        }
    }
}
