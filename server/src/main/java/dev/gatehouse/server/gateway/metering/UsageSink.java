package dev.gatehouse.server.gateway.metering;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where metered usage goes. One role: accept a record, never on the caller's time, and say when the
 * response it meters may end.
 *
 * <p>Contract: {@link #record} never blocks and never throws for a valid record; it may be called
 * from an event-loop thread. Its stage completes when the response may end: at once for a sink that
 * writes in the background ({@link #RECORDED}), once the record is durable for a strict one; it
 * fails if the record will not be durable (the response must then not end as if complete). A sink
 * may drop records when it is overloaded or closed and must then count them (see {@link
 * JdbcUsageSink}). Implementations are thread-safe.
 */
@FunctionalInterface
public interface UsageSink {
    /** The stage of a record accepted by a sink that does not make responses wait. */
    CompletionStage<Void> RECORDED = CompletableFuture.completedStage(null);

    /** Accepts one record for storage; returns at once. */
    CompletionStage<Void> record(UsageRecord usage);

    /**
     * Whether new requests may be admitted: false while usage could not be recorded and the sink is
     * configured to refuse requests rather than leave them unmetered. Never blocks.
     */
    default boolean acceptsNewRequests() {
        return true;
    }

    /** A sink that discards everything; for tests and for processes that do not meter. */
    static UsageSink discarding() {
        return usage -> RECORDED;
    }
}
