package dev.gatehouse.server.gateway.limits;

import static java.util.Objects.requireNonNull;

/**
 * A request refused by a rate limit or token budget. The relay answers 429 with
 * {@code Retry-After: retryAfterSeconds()} when {@link #retryable()}, in OpenAI's error shape
 * ({@code type: rate_limit_exceeded} for rates, {@code insufficient_quota} for budgets). The
 * message names the limit and is safe to show.
 */
public final class LimitExceededException extends Exception {
    private final String limit;
    private final long retryAfterSeconds;
    private final boolean budget;

    public LimitExceededException(String limit, long retryAfterSeconds, boolean budget, String message) {
        super(requireNonNull(message, "message"), null, false, false);
        this.limit = requireNonNull(limit, "limit");
        this.retryAfterSeconds = retryAfterSeconds;
        this.budget = budget;
    }

    /** The configuration key of the limit that refused, e.g. {@code gateway.limits.tokenRequestsPerMinute}. */
    public String limit() {
        return limit;
    }

    /**
     * Seconds until the request could be admitted: until enough of the last minute has passed for a
     * per-minute limit, until the next UTC midnight for a daily budget; {@code >= 1}. 0 for a total
     * budget, which no waiting restores.
     */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Whether waiting {@link #retryAfterSeconds()} can help (false for a total budget). */
    public boolean retryable() {
        return retryAfterSeconds > 0;
    }

    /** Whether a token budget refused (rather than a per-minute rate). */
    public boolean isBudget() {
        return budget;
    }
}
