package dev.gatehouse.server.identity;

import static dev.gatehouse.server.http.Shown.quote;
import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.verify.GatehouseTokenVerifier;
import dev.gatehouse.sdk.verify.RejectionReason;
import dev.gatehouse.sdk.verify.TokenRejectedException;
import dev.gatehouse.sdk.verify.TokenVerifier;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies the access tokens of one Keycloak realm and maps them to {@code session} {@link Claims}.
 *
 * <p>Checks, in order: length; compact JWS syntax ({@code MALFORMED}); the {@code typ} claim is
 * {@code Bearer} ({@code WRONG_TYPE}: ID and refresh tokens are refused before any cryptography);
 * the algorithm allow-list {@link #ALGORITHMS} ({@code UNSUPPORTED_ALGORITHM}); a {@code kid}; the
 * header {@code typ} ({@code JWT} or absent); the key by {@code kid} from the realm's JWKS
 * ({@code UNKNOWN_KEY}, or {@code KEYS_UNAVAILABLE} when discovery or the JWKS cannot be had and
 * nothing is cached); the signature; then {@link KeycloakClaimsRules} and {@link KeycloakClaimsMapper}.
 *
 * <p>Keys: the {@code jwks_uri} comes from OIDC discovery on first use (retried on later uses
 * until it succeeds). The key set is a Nimbus {@link JWKSourceBuilder} source: cached, refetched
 * when a token names an unknown {@code kid} (at most two fetches per {@code jwksRefreshMinInterval}),
 * one retry on a network error, and while Keycloak is unreachable the last key set keeps
 * verifying for {@link Builder#outageTolerance(Duration)}.
 *
 * <p>Built once; immutable and thread-safe. {@link #verify} blocks on network I/O when keys must be
 * fetched: call it off the event loop.
 */
public final class KeycloakVerifier implements TokenVerifier {
    /** Keycloak signs access tokens with RS256 by default; PS256 and ES256 are the other realm choices allowed. */
    public static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256, JWSAlgorithm.ES256);
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_OUTAGE_TOLERANCE = Duration.ofHours(12);
    public static final Duration DEFAULT_DISCOVERY_RETRY_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_JWKS_BYTES = 256 * 1024;
    private static final DefaultJOSEObjectTypeVerifier<SecurityContext> HEADER_TYPE =
            new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null);

    private final String issuer;
    private final DefaultJWTProcessor<SecurityContext> processor;
    private final KeycloakClaimsMapper mapper;

    private KeycloakVerifier(Builder builder) {
        issuer = builder.issuer.toString();
        JWKSource<SecurityContext> keys = new DiscoveredKeySource(issuer, new OidcDiscovery(builder.httpTimeout),
                jwksUri -> keySource(jwksUri, builder), builder.discoveryRetryInterval, builder.clock);
        processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier((type, context) -> {
            try {
                HEADER_TYPE.verify(type, context);
            } catch (BadJOSEException e) {
                throw new KeycloakRejection(RejectionReason.WRONG_TYPE,
                        "header typ: " + quote(type) + " (expected: \"JWT\" or absent)");
            }
        });
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
        processor.setJWTClaimsSetVerifier(
                new KeycloakClaimsRules(issuer, builder.audience, builder.clockSkew, builder.clock));
        Optional<String> realm = builder.topology == Topology.SHARED_SOVEREIGN
                ? IdentityConfig.realmOf(builder.issuer) : Optional.empty();
        mapper = new KeycloakClaimsMapper(builder.roleCapabilities, realm, builder.organization, issuer);
    }

    /** A builder for the realm whose tokens carry exactly {@code issuer} as {@code iss}. */
    public static Builder builder(URI issuer) {
        return new Builder(requireNonNull(issuer, "issuer"));
    }

    /** The exact {@code iss} this verifier accepts. */
    public String issuer() {
        return issuer;
    }

    @Override
    public Claims verify(String token) throws TokenRejectedException {
        return mapper.map(verifyAccessToken(token));
    }

    /**
     * Every check of {@link #verify} except the mapping to a user principal: the verified claims of
     * a Keycloak access token, which need not name an organization (service-account tokens do not).
     */
    public JWTClaimsSet verifyAccessToken(String token) throws TokenRejectedException {
        requireNonNull(token, "token");
        if (token.length() > GatehouseTokenVerifier.DEFAULT_MAX_TOKEN_LENGTH) {
            throw new TokenRejectedException(RejectionReason.TOO_LARGE, "token: " + token.length()
                    + " characters (expected: <= " + GatehouseTokenVerifier.DEFAULT_MAX_TOKEN_LENGTH + ")");
        }
        SignedJWT jwt = parse(token);
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (!ALGORITHMS.contains(alg)) {
            throw new TokenRejectedException(RejectionReason.UNSUPPORTED_ALGORITHM,
                    "alg: " + quote(alg) + " (expected one of: " + ALGORITHMS + ")");
        }
        if (jwt.getHeader().getKeyID() == null) {
            throw new TokenRejectedException(RejectionReason.UNKNOWN_KEY, "kid: missing (expected: required for " + alg + ")");
        }
        JWTClaimsSet verified;
        try {
            verified = processor.process(jwt, null);
        } catch (BadJOSEException | JOSEException e) {
            throw rejection(jwt, e);
        }
        return verified;
    }

    private static SignedJWT parse(String token) throws TokenRejectedException {
        SignedJWT jwt;
        JWTClaimsSet unverified;
        try {
            jwt = SignedJWT.parse(token);
            unverified = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new TokenRejectedException(RejectionReason.MALFORMED,
                    "not a signed JWT: " + e.getMessage() + " (expected: compact JWS header.payload.signature)", e);
        }
        try {
            KeycloakClaimsRules.checkType(unverified.getClaim("typ"));
        } catch (KeycloakRejection e) {
            throw new TokenRejectedException(e.reason(), e.getMessage(), e);
        }
        return jwt;
    }

    private static TokenRejectedException rejection(SignedJWT jwt, Exception e) {
        String kid = quote(jwt.getHeader().getKeyID());
        if (e instanceof KeycloakRejection rejection) {
            return new TokenRejectedException(rejection.reason(), e.getMessage(), e);
        }
        if (e instanceof RateLimitReachedException) {
            return new TokenRejectedException(RejectionReason.UNKNOWN_KEY, "kid: " + kid + " (expected: the id of a"
                    + " key in the realm's JWKS; refetched too recently to look again)", e);
        }
        if (e instanceof KeySourceException) {
            return new TokenRejectedException(RejectionReason.KEYS_UNAVAILABLE,
                    "Keycloak keys unavailable: " + e.getMessage(), e);
        }
        if (e instanceof BadJWSException) {
            return new TokenRejectedException(RejectionReason.BAD_SIGNATURE,
                    "signature does not verify with the " + jwt.getHeader().getAlgorithm() + " key " + kid, e);
        }
        if (e instanceof BadJOSEException) {
            return new TokenRejectedException(RejectionReason.UNKNOWN_KEY, "kid: " + kid
                    + " (expected: the id of a " + jwt.getHeader().getAlgorithm() + " signing key in the realm's JWKS)", e);
        }
        return new TokenRejectedException(RejectionReason.BAD_SIGNATURE,
                "signature cannot be verified with the key " + kid + ": " + e.getMessage(), e);
    }

    private static JWKSource<SecurityContext> keySource(URL jwksUri, Builder builder) {
        int timeoutMillis = Math.toIntExact(builder.httpTimeout.toMillis());
        return JWKSourceBuilder.<SecurityContext>create(jwksUri,
                        new DefaultResourceRetriever(timeoutMillis, timeoutMillis, MAX_JWKS_BYTES))
                .cache(builder.cacheTtl.toMillis(), builder.httpTimeout.toMillis())
                .refreshAheadCache(false)
                .rateLimited(builder.jwksRefreshMinInterval.toMillis())
                .retrying(true)
                .outageTolerant(builder.outageTolerance.toMillis())
                .build();
    }

    /** Configures a {@link KeycloakVerifier}. Not thread-safe; the built verifier is. */
    public static final class Builder {
        private final URI issuer;
        private Topology topology = Topology.PER_ORGANIZATION;
        private Optional<String> audience = Optional.empty();
        private Optional<String> organization = Optional.empty();
        private Map<String, Set<String>> roleCapabilities = Map.of();
        private Duration jwksRefreshMinInterval = Duration.ofSeconds(30);
        private Duration cacheTtl;
        private Duration outageTolerance = DEFAULT_OUTAGE_TOLERANCE;
        private Duration discoveryRetryInterval = DEFAULT_DISCOVERY_RETRY_INTERVAL;
        private Duration httpTimeout = DEFAULT_HTTP_TIMEOUT;
        private Duration clockSkew = GatehouseTokenVerifier.DEFAULT_CLOCK_SKEW;
        private Clock clock = Clock.systemUTC();

        private Builder(URI issuer) {
            this.issuer = issuer;
        }

        /** Applies the {@code identity.*} settings. */
        public Builder identity(IdentityConfig identity) {
            requireNonNull(identity, "identity");
            topology = identity.topology();
            audience = identity.audience();
            organization = identity.organizationOf(issuer);
            roleCapabilities = identity.effectiveRoleCapabilities();
            jwksRefreshMinInterval = identity.jwksRefreshMinInterval();
            return this;
        }

        public Builder topology(Topology topology) {
            this.topology = requireNonNull(topology, "topology");
            return this;
        }

        /** When set, tokens must carry it in {@code aud} or as {@code azp}. */
        public Builder audience(Optional<String> audience) {
            this.audience = requireNonNull(audience, "audience");
            return this;
        }

        /** When set, every token's organization must be exactly this one (the issuer's binding). */
        public Builder organization(Optional<String> organization) {
            this.organization = requireNonNull(organization, "organization");
            return this;
        }

        public Builder roleCapabilities(Map<String, Set<String>> roleCapabilities) {
            this.roleCapabilities = Map.copyOf(roleCapabilities);
            return this;
        }

        /** Least time between JWKS fetches (at most two per interval); must be shorter than the cache TTL. */
        public Builder jwksRefreshMinInterval(Duration interval) {
            this.jwksRefreshMinInterval = positive(interval, "jwksRefreshMinInterval");
            return this;
        }

        /** How long a fetched key set is used without refetching; default the larger of 5m and twice the refresh interval. */
        public Builder cacheTtl(Duration cacheTtl) {
            this.cacheTtl = positive(cacheTtl, "cacheTtl");
            return this;
        }

        /** How long the last key set keeps verifying while the JWKS cannot be fetched; default 12h. */
        public Builder outageTolerance(Duration outageTolerance) {
            this.outageTolerance = positive(outageTolerance, "outageTolerance");
            return this;
        }

        /** Least time between two discovery attempts after a failure; default 2s. */
        public Builder discoveryRetryInterval(Duration interval) {
            this.discoveryRetryInterval = requireNonNull(interval, "discoveryRetryInterval");
            return this;
        }

        /** Connect and read timeout of discovery and JWKS requests; default 5s. */
        public Builder httpTimeout(Duration timeout) {
            this.httpTimeout = positive(timeout, "httpTimeout");
            return this;
        }

        /** Leeway for {@code exp} and {@code nbf}; default 30s, at most 5m. */
        public Builder clockSkew(Duration clockSkew) {
            requireNonNull(clockSkew, "clockSkew");
            if (clockSkew.isNegative() || clockSkew.compareTo(GatehouseTokenVerifier.MAX_CLOCK_SKEW) > 0) {
                throw new IllegalArgumentException("clockSkew: " + clockSkew + " (expected: PT0S.."
                        + GatehouseTokenVerifier.MAX_CLOCK_SKEW + ")");
            }
            this.clockSkew = clockSkew;
            return this;
        }

        /** The clock of the claim checks and discovery retries; default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** @throws IllegalArgumentException when the refresh interval is not shorter than the cache TTL */
        public KeycloakVerifier build() {
            if (cacheTtl == null) {
                Duration twice = jwksRefreshMinInterval.multipliedBy(2);
                cacheTtl = twice.compareTo(DEFAULT_CACHE_TTL) > 0 ? twice : DEFAULT_CACHE_TTL;
            }
            if (jwksRefreshMinInterval.compareTo(cacheTtl) >= 0) {
                throw new IllegalArgumentException("jwksRefreshMinInterval: " + jwksRefreshMinInterval
                        + " (expected: < cacheTtl " + cacheTtl + ")");
            }
            return new KeycloakVerifier(this);
        }

        private static Duration positive(Duration value, String name) {
            requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }
    }
}
