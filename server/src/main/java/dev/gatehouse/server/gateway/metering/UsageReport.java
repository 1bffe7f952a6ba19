package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Summed usage per group. Immutable.
 *
 * @param groups one entry per distinct combination of the grouped dimensions, ordered by them
 *     (absent values first)
 * @param truncated whether groups were left off because there were more than {@link #MAX_GROUPS}
 */
public record UsageReport(List<Group> groups, boolean truncated) {
    /** The most groups one report holds. */
    public static final int MAX_GROUPS = 10_000;

    public UsageReport {
        groups = List.copyOf(requireNonNull(groups, "groups"));
    }

    /**
     * Sums of one group.
     *
     * @param key the group's value of each grouped dimension, in query order; a value may be null
     *     (e.g. a request that failed before a channel was chosen)
     * @param total sums over all outcomes
     * @param byOutcome sums per outcome, every outcome present (zeros when none)
     */
    public record Group(Map<UsageDimension, String> key, Totals total, Map<Outcome, Totals> byOutcome) {
        public Group {
            key = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(key, "key")));
            requireNonNull(total, "total");
            byOutcome = Collections.unmodifiableMap(new EnumMap<>(requireNonNull(byOutcome, "byOutcome")));
        }
    }

    /** Request count, token sums and spend (millionths of {@code gateway.currency}). */
    public record Totals(long requests, long promptTokens, long completionTokens, long spendMicros) {
        public static final Totals ZERO = new Totals(0, 0, 0, 0);

        public Totals plus(Totals other) {
            return new Totals(requests + other.requests, promptTokens + other.promptTokens,
                    completionTokens + other.completionTokens, spendMicros + other.spendMicros);
        }

        public long totalTokens() {
            return promptTokens + completionTokens;
        }
    }
}
