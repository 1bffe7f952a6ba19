package dev.gatehouse.server.gateway.limits;

/**
 * What {@link Limiter#admit} reserved for one request. Thread-safe.
 *
 * <p>{@link #settle} replaces the reservation with what the request really cost: budgets and
 * per-minute token windows are corrected by the difference (a request that used more than reserved
 * is charged in full, even past a limit; only admission is refused). It is idempotent: only the
 * first call counts. Release a request that failed by settling 0. Settling never blocks the caller:
 * database work, if any, runs in the background.
 */
public interface Reservation {
    /** A reservation of nothing. */
    Reservation NONE = (actualTokens, actualSpendMicros) -> {};

    /**
     * Charges what the request used instead of what was reserved; only the first call counts.
     *
     * @param actualTokens prompt plus completion tokens, {@code >= 0}
     * @param actualSpendMicros their price in millionths of {@code gateway.currency}, {@code >= 0}
     */
    void settle(long actualTokens, long actualSpendMicros);

    /** {@link #settle(long, long)} of a request without a price. */
    default void settle(long actualTokens) {
        settle(actualTokens, 0);
    }

    /**
     * The completion tokens a budget leaves this request ({@code Long.MAX_VALUE} when none applies):
     * a stream is cut once it delivered more.
     */
    default long completionAllowance() {
        return Long.MAX_VALUE;
    }
}
