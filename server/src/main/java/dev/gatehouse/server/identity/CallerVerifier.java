package dev.gatehouse.server.identity;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEObject;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.GatehouseTokenVerifier;
import dev.gatehouse.sdk.verify.RejectionReason;
import dev.gatehouse.sdk.verify.TokenRejectedException;
import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.http.Shown;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * "Who is calling the auth API": one {@link TokenVerifier} for Gatehouse's own tokens and the
 * access tokens of every configured Keycloak realm. It reads the {@code iss} of the (still
 * unverified) token only to choose the verifier; that verifier then checks everything, {@code iss}
 * included. A token from any other issuer is refused as {@code WRONG_ISSUER} ("issuer not
 * configured"). Gatehouse {@code session} tokens (the local identity) are refused when
 * {@code identity.local} is false.
 *
 * <p>Keycloak verification may fetch keys over the network: call {@link #verify} off the event
 * loop. Immutable and thread-safe; build one per process so that key caches are shared.
 */
public final class CallerVerifier implements TokenVerifier {

    private final String gatehouseIssuer;
    private final TokenVerifier gatehouse;
    private final boolean localSessions;
    private final Map<String, TokenVerifier> keycloak;

    private CallerVerifier(String gatehouseIssuer, TokenVerifier gatehouse, boolean localSessions,
            Map<String, TokenVerifier> keycloak) {
        this.gatehouseIssuer = gatehouseIssuer;
        this.gatehouse = gatehouse;
        this.localSessions = localSessions;
        this.keycloak = keycloak;
    }

    /**
     * The verifier of a Gatehouse process.
     *
     * @param gatehouseIssuer {@code tokens.issuer}
     * @param gatehouse verifies Gatehouse's own tokens for its API (issuer, audience, revocation)
     * @param clockSkew leeway for {@code exp}/{@code nbf} of Keycloak tokens ({@code tokens.clockSkew})
     */
    public static CallerVerifier of(IdentityConfig identity, URI gatehouseIssuer, TokenVerifier gatehouse,
            Duration clockSkew) {
        requireNonNull(identity, "identity");
        requireNonNull(clockSkew, "clockSkew");
        Map<String, TokenVerifier> keycloak = new LinkedHashMap<>();
        for (URI issuer : identity.issuers()) {
            keycloak.put(issuer.toString(), KeycloakVerifier.builder(issuer).identity(identity).clockSkew(clockSkew).build());
        }
        return of(gatehouseIssuer.toString(), gatehouse, identity.local(), keycloak);
    }

    /** A verifier over given parts, keyed by exact issuer; for assembling and for tests. */
    public static CallerVerifier of(String gatehouseIssuer, TokenVerifier gatehouse, boolean localSessions,
            Map<String, ? extends TokenVerifier> keycloakByIssuer) {
        requireNonNull(gatehouseIssuer, "gatehouseIssuer");
        requireNonNull(gatehouse, "gatehouse");
        Map<String, TokenVerifier> keycloak = Map.copyOf(requireNonNull(keycloakByIssuer, "keycloakByIssuer"));
        if (keycloak.containsKey(gatehouseIssuer)) {
            throw new IllegalArgumentException("keycloakByIssuer: contains the Gatehouse issuer \"" + gatehouseIssuer
                    + "\" (expected: Keycloak issuers only)");
        }
        return new CallerVerifier(gatehouseIssuer, gatehouse, localSessions, keycloak);
    }

    @Override
    public Claims verify(String token) throws TokenRejectedException {
        requireNonNull(token, "token");
        Object iss = unverifiedIssuer(token);
        if (iss == null || gatehouseIssuer.equals(iss)) {
            // Not readable or Gatehouse's own: the Gatehouse verifier says precisely what is wrong, if anything.
            return checkLocal(gatehouse.verify(token));
        }
        TokenVerifier verifier = keycloak.get(iss);
        if (verifier == null) {
            throw new TokenRejectedException(RejectionReason.WRONG_ISSUER,
                    "iss: " + Shown.quote(iss) + " (issuer not configured; expected: " + gatehouseIssuer
                            + (keycloak.isEmpty() ? "" : " or one of identity.keycloak.issuers " + keycloak.keySet()) + ")");
        }
        return verifier.verify(token);
    }

    private Claims checkLocal(Claims claims) throws TokenRejectedException {
        if (claims.type() == TokenType.SESSION && !localSessions) {
            throw new TokenRejectedException(RejectionReason.WRONG_TYPE, "typ: \"session\" from " + gatehouseIssuer
                    + " (expected: sessions from Keycloak; local identity is disabled, identity.local: false)");
        }
        return claims;
    }

    /** The {@code iss} of a compact JWS's payload, or null when the token cannot be read that far. */
    private static Object unverifiedIssuer(String token) {
        if (token.length() > GatehouseTokenVerifier.DEFAULT_MAX_TOKEN_LENGTH) {
            return null;
        }
        try {
            Base64URL[] parts = JOSEObject.split(token);
            if (parts.length != 3) {
                return null;
            }
            return JSONObjectUtils.parse(parts[1].decodeToString()).get("iss");
        } catch (ParseException | RuntimeException e) {
            return null;
        }
    }
}
