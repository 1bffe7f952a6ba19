package dev.gatehouse.server.gateway.api;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.limits.BudgetsConfig;
import dev.gatehouse.server.gateway.limits.GatewayLimiter;
import dev.gatehouse.server.gateway.limits.Limiter;
import dev.gatehouse.server.gateway.limits.LimitsConfig;
import dev.gatehouse.server.gateway.limits.LimitsStoreConfig;
import dev.gatehouse.server.gateway.limits.RateLimits;
import dev.gatehouse.server.gateway.metering.JdbcUsageSink;
import dev.gatehouse.server.gateway.metering.UsageConfig;
import dev.gatehouse.server.gateway.metering.UsageSink;
import dev.gatehouse.server.gateway.relay.MeteredUsageExtraction;
import dev.gatehouse.server.gateway.relay.UsageExtraction;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.StoreHealth;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;

/**
 * The gateway's metering and limit collaborators, injected into the relay. {@link #close()} runs
 * after the HTTP server has drained: it flushes the usage still queued and settles what the
 * limiter still holds.
 *
 * @param limiter admits requests ({@link Limiter#isBlocking()} ones are called off the event loop)
 * @param usageSink takes one record per request; must not block
 * @param usageExtraction reads usage from each response as it is relayed
 * @param resources closed by {@link #close()}
 */
public record GatewayParts(Limiter limiter, UsageSink usageSink, UsageExtraction usageExtraction,
        AutoCloseable resources) implements AutoCloseable {

    public GatewayParts {
        requireNonNull(limiter, "limiter");
        requireNonNull(usageSink, "usageSink");
        requireNonNull(usageExtraction, "usageExtraction");
        requireNonNull(resources, "resources");
    }

    /** Parts without resources of their own (tests bring their own sink and limiter). */
    public GatewayParts(Limiter limiter, UsageSink usageSink, UsageExtraction usageExtraction) {
        this(limiter, usageSink, usageExtraction, () -> {});
    }

    /**
     * The production parts: usage written to the store as {@code usage} says (batched or strict,
     * spooled while the store is away), the configured limits and budgets (per-minute windows where
     * {@code limitsStore} keeps them), usage read from every response.
     */
    public static GatewayParts metered(LimitsConfig limits, BudgetsConfig budgets, LimitsStoreConfig limitsStore,
            UsageConfig usage, Database database, StoreHealth health, MeterRegistry metrics, Clock clock) {
        JdbcUsageSink sink = JdbcUsageSink.start(database, health, metrics, usage);
        RateLimits rates = RateLimits.open(limitsStore, limits, metrics);
        GatewayLimiter limiter = GatewayLimiter.create(limits, budgets, rates, Optional.of(database), clock);
        return new GatewayParts(limiter, sink, new MeteredUsageExtraction(), () -> {
            try {
                sink.close();
            } finally {
                try {
                    limiter.close();
                } finally {
                    rates.close();
                }
            }
        });
    }

    @Override
    public void close() throws Exception {
        resources.close();
    }
}
