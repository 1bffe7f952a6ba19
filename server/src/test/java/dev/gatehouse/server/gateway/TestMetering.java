package dev.gatehouse.server.gateway;

import dev.gatehouse.server.gateway.api.GatewayParts;
import dev.gatehouse.server.gateway.limits.LimitExceededException;
import dev.gatehouse.server.gateway.limits.Demand;
import dev.gatehouse.server.gateway.limits.Limiter;
import dev.gatehouse.server.gateway.limits.Reservation;
import dev.gatehouse.server.gateway.metering.Caller;
import dev.gatehouse.server.gateway.metering.Usage;
import dev.gatehouse.server.gateway.metering.UsageRecord;
import dev.gatehouse.server.gateway.metering.UsageSink;
import dev.gatehouse.server.gateway.relay.MeteredUsageExtraction;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** Stand-ins for the store-backed metering parts: a recording sink and a limiter refusing one organization; usage is read by the real extraction. */
final class TestMetering implements UsageSink, Limiter {
    static final String BROKE_ORG = "broke";

    final ConcurrentLinkedQueue<UsageRecord> records = new ConcurrentLinkedQueue<>();
    final AtomicInteger admitted = new AtomicInteger();
    final AtomicInteger settled = new AtomicInteger();
    /** What {@link #record} returns: {@link #RECORDED} unless a test holds responses on a stage of its own. */
    volatile CompletionStage<Void> durability = RECORDED;
    volatile boolean refusing;

    GatewayParts parts() {
        return new GatewayParts(this, this, new MeteredUsageExtraction());
    }

    /** The last record of {@code model}, waiting up to five seconds for one. */
    UsageRecord lastOf(String model) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            List<UsageRecord> found = records.stream().filter(r -> r.model().equals(model)).toList();
            if (!found.isEmpty()) {
                return found.get(found.size() - 1);
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no usage record for " + model);
    }

    List<UsageRecord> recordsFor(String sandbox) {
        return records.stream().filter(r -> sandbox.equals(r.caller().sandbox())).toList();
    }

    @Override
    public CompletionStage<Void> record(UsageRecord usage) {
        records.add(usage);
        return durability;
    }

    @Override
    public boolean acceptsNewRequests() {
        return !refusing;
    }

    @Override
    public Reservation admit(Caller caller, Demand demand) throws LimitExceededException {
        if (BROKE_ORG.equals(caller.organization())) {
            throw new LimitExceededException("org_requests_per_minute", 42, false, "organization over its request rate");
        }
        admitted.incrementAndGet();
        return (tokens, spend) -> settled.incrementAndGet();
    }
}
