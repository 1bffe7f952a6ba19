package dev.gatehouse.server.identity;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * The keys of an issuer, found through OIDC discovery on first use. Until discovery succeeds,
 * every use retries it, at most once per {@code retryInterval}; in between, the last failure is
 * reported again. Once it succeeds, the {@link JWKSource} built for the discovered
 * {@code jwks_uri} serves every lookup. Thread-safe.
 */
final class DiscoveredKeySource implements JWKSource<SecurityContext> {
    private final String issuer;
    private final OidcDiscovery discovery;
    private final Function<URL, JWKSource<SecurityContext>> keysAt;
    private final Duration retryInterval;
    private final Clock clock;

    private volatile JWKSource<SecurityContext> keys;
    private Instant lastFailureAt;
    private KeySourceException lastFailure;

    DiscoveredKeySource(String issuer, OidcDiscovery discovery, Function<URL, JWKSource<SecurityContext>> keysAt,
            Duration retryInterval, Clock clock) {
        this.issuer = issuer;
        this.discovery = discovery;
        this.keysAt = keysAt;
        this.retryInterval = retryInterval;
        this.clock = clock;
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        JWKSource<SecurityContext> resolved = keys;
        return (resolved != null ? resolved : discover()).get(selector, context);
    }

    private synchronized JWKSource<SecurityContext> discover() throws KeySourceException {
        if (keys != null) {
            return keys;
        }
        Instant now = clock.instant();
        if (lastFailureAt != null && now.isBefore(lastFailureAt.plus(retryInterval))) {
            throw new KeySourceException(lastFailure.getMessage() + " (next attempt after "
                    + lastFailureAt.plus(retryInterval) + ")", lastFailure);
        }
        try {
            keys = keysAt.apply(discovery.jwksUri(issuer));
            return keys;
        } catch (KeySourceException e) {
            lastFailureAt = now;
            lastFailure = e;
            throw e;
        }
    }
}
