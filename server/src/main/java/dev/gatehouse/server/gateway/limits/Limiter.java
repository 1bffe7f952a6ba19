package dev.gatehouse.server.gateway.limits;

import dev.gatehouse.server.gateway.metering.Caller;

/**
 * Admits a request within rate limits and budgets. The gateway calls it on the event loop: an
 * implementation must not block. (ISSUE4 interface, owned by gw-meter; on merge keep gw-meter's version.)
 */
public interface Limiter {
    Reservation admit(Caller caller, long estimatedTokens) throws LimitExceededException;
}
