package dev.gatehouse.server.tokens;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;

/**
 * Properties of the tokens Gatehouse mints and verifies.
 *
 * @param issuer the {@code iss} of every Gatehouse token and the base of its discovery URLs
 * @param maxTokenTtl the longest lifetime of any token Gatehouse mints; a retired signing key keeps
 *     verifying for this long after it last signs (see {@link KeyRing})
 * @param clockSkew leeway for {@code exp}/{@code nbf} checks
 */
public record TokensConfig(URI issuer, Duration maxTokenTtl, Duration clockSkew) {

    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    public TokensConfig {
        requireNonNull(issuer, "issuer");
        requireNonNull(maxTokenTtl, "maxTokenTtl");
        requireNonNull(clockSkew, "clockSkew");
        if (maxTokenTtl.isNegative() || maxTokenTtl.isZero()) {
            throw new IllegalArgumentException("tokens.maxTtl: " + maxTokenTtl + " (expected: > 0)");
        }
        if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
            throw new IllegalArgumentException("tokens.clockSkew: " + clockSkew + " (expected: 0..PT5M)");
        }
    }
}
