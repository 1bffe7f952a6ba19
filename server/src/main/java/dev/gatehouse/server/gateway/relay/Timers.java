package dev.gatehouse.server.gateway.relay;

/** Vert.x timer arithmetic shared by the stages' first-byte and idle timers. */
final class Timers {
    private Timers() {}

    /** A timer delay covering {@code nanos}: rounded up, at least 1 ms (Vert.x's minimum). */
    static long ceilMillis(long nanos) {
        return Math.max(1, (nanos + 999_999) / 1_000_000);
    }
}
