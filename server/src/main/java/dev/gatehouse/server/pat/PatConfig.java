package dev.gatehouse.server.pat;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Personal access tokens. Rules between keys ({@code defaultTtl <= maxTtl <= tokens.maxTtl}) are
 * checked by the configuration loader on the whole configuration, not here.
 *
 * @param defaultTtl lifetime of a token whose request names none
 * @param maxTtl the longest lifetime a token may be given
 * @param audiences the audiences a token may be minted for, in order; the first is the default
 * @param revocationPollInterval how often each replica loads revocations made elsewhere; at most
 *     {@link #MAX_REVOCATION_POLL_INTERVAL} so revocation reaches every replica within 5 seconds
 * @param lastUsedFlushInterval how often the recorded last uses are written to the store
 * @param maxActivePerUser how many active (neither expired nor revoked) tokens one user may hold
 *     in one organization; creating one more is refused
 * @param bridgeAudience the audience a token needs to mint sandbox tokens at the sandbox-token bridge
 *     for its own organization ({@code POST /admin/tokens/sandbox})
 */
public record PatConfig(
        Duration defaultTtl,
        Duration maxTtl,
        List<String> audiences,
        Duration revocationPollInterval,
        Duration lastUsedFlushInterval,
        int maxActivePerUser,
        String bridgeAudience) {

    public static final Duration MAX_REVOCATION_POLL_INTERVAL = Duration.ofSeconds(5);
    public static final int MAX_ACTIVE_PER_USER = 10_000;
    private static final Pattern AUDIENCE = Pattern.compile("[\\x21-\\x7e]{1,200}");

    public PatConfig {
        requireNonNull(defaultTtl, "defaultTtl");
        requireNonNull(maxTtl, "maxTtl");
        audiences = List.copyOf(requireNonNull(audiences, "audiences"));
        requireNonNull(revocationPollInterval, "revocationPollInterval");
        requireNonNull(lastUsedFlushInterval, "lastUsedFlushInterval");
        requirePositive("pat.defaultTtl", defaultTtl);
        requirePositive("pat.maxTtl", maxTtl);
        if (audiences.isEmpty()) {
            throw new IllegalArgumentException("pat.audiences: [] (expected: at least one audience)");
        }
        for (int i = 0; i < audiences.size(); i++) {
            if (!AUDIENCE.matcher(audiences.get(i)).matches()) {
                throw new IllegalArgumentException("pat.audiences[" + i + "]: \"" + audiences.get(i)
                        + "\" (expected: 1..200 printable characters without spaces)");
            }
        }
        requirePositive("pat.revocationPollInterval", revocationPollInterval);
        if (revocationPollInterval.compareTo(MAX_REVOCATION_POLL_INTERVAL) > 0) {
            throw new IllegalArgumentException("pat.revocationPollInterval: " + revocationPollInterval
                    + " (expected: at most PT5S)");
        }
        requireNonNull(bridgeAudience, "bridgeAudience");
        if (!AUDIENCE.matcher(bridgeAudience).matches()) {
            throw new IllegalArgumentException("pat.bridgeAudience: \"" + bridgeAudience
                    + "\" (expected: 1..200 printable characters without spaces)");
        }
        requirePositive("pat.lastUsedFlushInterval", lastUsedFlushInterval);
        if (maxActivePerUser < 1 || maxActivePerUser > MAX_ACTIVE_PER_USER) {
            throw new IllegalArgumentException("pat.maxActivePerUser: " + maxActivePerUser
                    + " (expected: 1.." + MAX_ACTIVE_PER_USER + ")");
        }
    }

    private static void requirePositive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + ": " + value + " (expected: > 0)");
        }
    }
}
