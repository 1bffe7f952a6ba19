package dev.gatehouse.server.gateway.limits;

import dev.gatehouse.server.gateway.metering.Caller;

/**
 * Admits gateway requests within the configured rate limits and budgets. One role: decide, and
 * reserve what was admitted until the request's real usage is known.
 *
 * <p>Contract: {@link #admit} either returns a {@link Reservation}, which the caller must settle
 * exactly once the request is over (with what it actually used, or 0 if it failed before using
 * anything), or throws {@link LimitExceededException} having reserved nothing. Implementations are
 * thread-safe. {@link #isBlocking()} tells whether admission may wait on the database, in which
 * case the relay calls it off the event loop.
 */
public interface Limiter {
    /**
     * Checks every limit that applies to the caller and reserves the request against them: its
     * estimate in per-minute token windows, its worst case in budgets.
     *
     * @throws LimitExceededException naming the first limit that refused, with when to retry
     */
    Reservation admit(Caller caller, Demand demand) throws LimitExceededException;

    /** {@link #admit(Caller, Demand)} of {@code estimatedTokens} in all, without a price. */
    default Reservation admit(Caller caller, long estimatedTokens) throws LimitExceededException {
        return admit(caller, Demand.tokens(estimatedTokens));
    }

    /** Whether {@link #admit} may block on I/O (a budget is configured, or the per-minute limits are in Redis). */
    default boolean isBlocking() {
        return false;
    }

    /** A limiter that admits everything; its reservations do nothing. */
    static Limiter unlimited() {
        return (caller, demand) -> Reservation.NONE;
    }
}
