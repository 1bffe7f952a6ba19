package dev.gatehouse.server.gateway.limits;

import dev.gatehouse.server.gateway.metering.Caller;

/**
 * Admits gateway requests within the configured rate limits and token budgets. One role: decide,
 * and reserve what was admitted until the request's real usage is known.
 *
 * <p>Contract: {@link #admit} either returns a {@link Reservation}, which the caller must settle
 * exactly once the request is over (with the tokens actually used, or 0 if it failed before any
 * were), or throws {@link LimitExceededException} having reserved nothing. Implementations are
 * thread-safe. {@link #isBlocking()} tells whether admission may wait on the database, in which
 * case the relay calls it off the event loop.
 */
public interface Limiter {
    /**
     * Checks every limit that applies to the caller and reserves the request and
     * {@code estimatedTokens} against them.
     *
     * @param estimatedTokens the tokens the request is expected to use (prompt estimate plus
     *     {@code max_tokens} when given); {@code >= 0}; the real count is settled later
     * @throws LimitExceededException naming the first limit that refused, with when to retry
     */
    Reservation admit(Caller caller, long estimatedTokens) throws LimitExceededException;

    /** Whether {@link #admit} may block on I/O (a token budget is configured, or the per-minute limits are in Redis). */
    default boolean isBlocking() {
        return false;
    }

    /** A limiter that admits everything; its reservations do nothing. */
    static Limiter unlimited() {
        return (caller, estimatedTokens) -> Reservation.NONE;
    }
}
