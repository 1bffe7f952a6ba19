package dev.gatehouse.server.gateway.limits;

/**
 * What {@link Limiter#admit} reserved for one request. Thread-safe.
 *
 * <p>{@link #settle} replaces the estimate with the tokens actually used: budgets and per-minute
 * token windows are corrected by the difference (a request that used more than estimated is
 * charged in full, even past a limit; only admission is refused). It is idempotent: only the first
 * call counts. Release a request that failed by settling 0. Settling never blocks the caller:
 * database work, if any, runs in the background.
 */
public interface Reservation {
    /** A reservation of nothing. */
    Reservation NONE = actualTokens -> {};

    /** Charges {@code actualTokens} ({@code >= 0}) instead of the estimate; only the first call counts. */
    void settle(long actualTokens);
}
