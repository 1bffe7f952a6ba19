package dev.gatehouse.server.gateway.limits;

/**
 * Default gateway limits, applied to every token and every organization ({@code gateway.limits.*}).
 * A value of 0 means unlimited. Per-minute limits are kept in each replica's memory; budgets are
 * kept in the database and hold across replicas. Immutable.
 *
 * @param tokenRequestsPerMinute requests one token may make in any 60 seconds
 * @param tokenTokensPerMinute tokens (prompt + completion) one token may use in any 60 seconds
 * @param orgRequestsPerMinute requests one organization may make in any 60 seconds
 * @param orgTokensPerMinute tokens one organization may use in any 60 seconds
 * @param tokenDailyTokenBudget tokens one token may use per UTC day
 * @param orgDailyTokenBudget tokens one organization may use per UTC day
 * @param tokenTotalTokenBudget tokens one token may use in its lifetime
 * @param orgTotalTokenBudget tokens one organization may use in total
 */
public record LimitsConfig(
        long tokenRequestsPerMinute,
        long tokenTokensPerMinute,
        long orgRequestsPerMinute,
        long orgTokensPerMinute,
        long tokenDailyTokenBudget,
        long orgDailyTokenBudget,
        long tokenTotalTokenBudget,
        long orgTotalTokenBudget) {

    /** No limits at all. */
    public static final LimitsConfig UNLIMITED = new LimitsConfig(0, 0, 0, 0, 0, 0, 0, 0);

    static final String PREFIX = "gateway.limits.";

    public LimitsConfig {
        requireNotNegative("tokenRequestsPerMinute", tokenRequestsPerMinute);
        requireNotNegative("tokenTokensPerMinute", tokenTokensPerMinute);
        requireNotNegative("orgRequestsPerMinute", orgRequestsPerMinute);
        requireNotNegative("orgTokensPerMinute", orgTokensPerMinute);
        requireNotNegative("tokenDailyTokenBudget", tokenDailyTokenBudget);
        requireNotNegative("orgDailyTokenBudget", orgDailyTokenBudget);
        requireNotNegative("tokenTotalTokenBudget", tokenTotalTokenBudget);
        requireNotNegative("orgTotalTokenBudget", orgTotalTokenBudget);
    }

    /** Whether any of these per-token or per-organization token budgets is set. */
    public boolean hasBudgets() {
        return tokenDailyTokenBudget > 0 || orgDailyTokenBudget > 0 || tokenTotalTokenBudget > 0
                || orgTotalTokenBudget > 0;
    }

    /** Whether any limit at all is set. */
    public boolean hasLimits() {
        return hasBudgets() || tokenRequestsPerMinute > 0 || tokenTokensPerMinute > 0 || orgRequestsPerMinute > 0
                || orgTokensPerMinute > 0;
    }

    private static void requireNotNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(PREFIX + name + ": " + value + " (expected: >= 0, 0 = unlimited)");
        }
    }
}
