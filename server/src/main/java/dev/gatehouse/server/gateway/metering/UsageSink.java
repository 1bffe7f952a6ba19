package dev.gatehouse.server.gateway.metering;

/**
 * Where metered usage goes. One role: accept a record, never on the caller's time.
 *
 * <p>Contract: {@link #record} never blocks and never throws for a valid record; it may be called
 * from an event-loop thread. A sink may drop records when it is overloaded or closed and must then
 * count them (see {@link JdbcUsageSink}). Implementations are thread-safe.
 */
@FunctionalInterface
public interface UsageSink {
    /** Accepts one record for storage; returns at once. */
    void record(UsageRecord usage);

    /** A sink that discards everything; for tests and for processes that do not meter. */
    static UsageSink discarding() {
        return usage -> {};
    }
}
