package dev.gatehouse.server.identity;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEObject;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.sdk.verify.GatehouseTokenVerifier;
import dev.gatehouse.sdk.verify.RejectionReason;
import dev.gatehouse.sdk.verify.TokenRejectedException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Verifies Keycloak access tokens of machine callers (OAuth 2.0 client credentials) from a fixed
 * set of issuers and reads their roles. The checks are those of a user's Keycloak token (docs/identity.md:
 * signature by the realm's JWKS, {@code typ=Bearer}, algorithm allow-list, exact {@code iss},
 * {@code exp}/{@code nbf}) without the user mapping: no organization is required. No audience is
 * required either; what a caller may do is decided by its roles.
 *
 * <p>{@link #verify} may fetch keys over the network: call it off the event loop. Immutable and
 * thread-safe; build one per process so key caches are shared.
 */
public final class ServiceAccountVerifier {
    /** A verifier trusting nobody. */
    public static final ServiceAccountVerifier NONE = new ServiceAccountVerifier(Map.of());

    private final Map<String, KeycloakVerifier> byIssuer;

    private ServiceAccountVerifier(Map<String, KeycloakVerifier> byIssuer) {
        this.byIssuer = byIssuer;
    }

    /**
     * @param issuers the exact {@code iss} of every trusted realm
     * @param clockSkew leeway for {@code exp}/{@code nbf} ({@code tokens.clockSkew})
     * @param jwksRefreshMinInterval least time between JWKS refetches ({@code identity.keycloak.jwksRefreshMinInterval})
     */
    public static ServiceAccountVerifier of(List<URI> issuers, Duration clockSkew, Duration jwksRefreshMinInterval) {
        requireNonNull(issuers, "issuers");
        requireNonNull(clockSkew, "clockSkew");
        requireNonNull(jwksRefreshMinInterval, "jwksRefreshMinInterval");
        Map<String, KeycloakVerifier> byIssuer = new LinkedHashMap<>();
        for (URI issuer : issuers) {
            byIssuer.put(issuer.toString(), KeycloakVerifier.builder(issuer).clockSkew(clockSkew)
                    .jwksRefreshMinInterval(jwksRefreshMinInterval).build());
        }
        return new ServiceAccountVerifier(Map.copyOf(byIssuer));
    }

    /** Whether any issuer is trusted. */
    public boolean enabled() {
        return !byIssuer.isEmpty();
    }

    /**
     * Whether the token claims (unverified) to come from a trusted issuer; cheap, no I/O. A token for
     * which this is false is certainly refused by {@link #verify}.
     */
    public boolean mayVerify(String token) {
        requireNonNull(token, "token");
        return unverifiedIssuer(token).map(byIssuer::containsKey).orElse(false);
    }

    /**
     * The verified caller.
     *
     * @throws TokenRejectedException with the precise reason; {@code WRONG_ISSUER} for an issuer not trusted
     */
    public ServiceAccount verify(String token) throws TokenRejectedException {
        requireNonNull(token, "token");
        Optional<String> iss = unverifiedIssuer(token);
        KeycloakVerifier verifier = iss.map(byIssuer::get).orElse(null);
        if (verifier == null) {
            throw new TokenRejectedException(RejectionReason.WRONG_ISSUER,
                    "iss: not one of admin.serviceAccounts.issuers " + byIssuer.keySet());
        }
        JWTClaimsSet claims = verifier.verifyAccessToken(token);
        return new ServiceAccount(claims.getIssuer(), String.valueOf(claims.getSubject()), clientId(claims),
                roles(claims));
    }

    private static Optional<String> clientId(JWTClaimsSet claims) {
        for (String name : new String[] {"client_id", "clientId", "azp"}) {
            if (claims.getClaim(name) instanceof String value && !value.isEmpty()) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /** Realm roles as {@code role}, client roles as {@code clientId/role}; malformed entries are ignored. */
    private static Set<String> roles(JWTClaimsSet claims) {
        Set<String> roles = new TreeSet<>();
        addRoles(claims.getClaim("realm_access"), "", roles);
        if (claims.getClaim("resource_access") instanceof Map<?, ?> clients) {
            clients.forEach((client, access) -> addRoles(access, client + "/", roles));
        }
        return roles;
    }

    private static void addRoles(Object access, String prefix, Set<String> roles) {
        if (access instanceof Map<?, ?> map && map.get("roles") instanceof List<?> list) {
            for (Object role : list) {
                if (role instanceof String name && !name.isEmpty()) {
                    roles.add(prefix + name);
                }
            }
        }
    }

    private static Optional<String> unverifiedIssuer(String token) {
        if (token.length() > GatehouseTokenVerifier.DEFAULT_MAX_TOKEN_LENGTH) {
            return Optional.empty();
        }
        try {
            Base64URL[] parts = JOSEObject.split(token);
            if (parts.length != 3) {
                return Optional.empty();
            }
            return JSONObjectUtils.parse(parts[1].decodeToString()).get("iss") instanceof String iss
                    ? Optional.of(iss) : Optional.empty();
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
