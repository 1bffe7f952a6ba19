package dev.gatehouse.server.gateway.limits;

/** Tokens held for one admitted request. (ISSUE4 interface, owned by gw-meter; on merge keep gw-meter's version.) */
public interface Reservation {
    /** Idempotent; release on failure with {@code settle(0)}. */
    void settle(long actualTokens);
}
