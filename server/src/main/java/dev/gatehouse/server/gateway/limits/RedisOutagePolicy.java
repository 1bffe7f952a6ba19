package dev.gatehouse.server.gateway.limits;

import dev.gatehouse.server.gateway.limits.LimitsStoreConfig.OnRedisUnavailable;
import dev.gatehouse.server.gateway.metering.Caller;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code gateway.limits.onRedisUnavailable}: what admission does while Redis cannot be reached.
 * {@code closed} refuses the request ({@link RateLimitsUnavailableException}); {@code local} admits
 * it by this replica's own windows. Each such decision is counted in {@code
 * gatehouse.gateway.limits.redis.unavailable} (tag {@code decision}: {@code refused} or {@code
 * local}) and logged at most once every 10 seconds. Thread-safe.
 */
final class RedisOutagePolicy implements RateLimits {
    private static final Logger log = LoggerFactory.getLogger(RedisOutagePolicy.class);

    private final RedisRateLimits redis;
    private final RateLimits local;
    private final OnRedisUnavailable policy;
    private final Counter decisions;
    private final EveryInterval logLine = new EveryInterval(Duration.ofSeconds(10));

    RedisOutagePolicy(RedisRateLimits redis, RateLimits local, OnRedisUnavailable policy, MeterRegistry metrics) {
        this.redis = redis;
        this.local = local;
        this.policy = policy;
        this.decisions = Counter.builder("gatehouse.gateway.limits.redis.unavailable")
                .description("Admissions decided while Redis, which keeps the shared rate limits, did not answer")
                .tag("decision", policy == OnRedisUnavailable.CLOSED ? "refused" : "local")
                .register(metrics);
    }

    @Override
    public Grant acquire(Caller caller, long reservedTokens, long nowMillis) throws LimitExceededException {
        try {
            return redis.acquire(caller, reservedTokens, nowMillis);
        } catch (RateLimitsUnavailableException e) {
            decisions.increment();
            if (logLine.due()) {
                log.atWarn().addKeyValue("redis", redis.location())
                        .addKeyValue("reason", e.getCause() == null ? e.getMessage() : e.getCause().getMessage())
                        .addKeyValue("decisionsSoFar", (long) decisions.count())
                        .log(policy == OnRedisUnavailable.CLOSED
                                ? "Redis for the rate limits is unavailable: requests are refused (503)"
                                : "Redis for the rate limits is unavailable: admitting by this replica's own windows");
            }
            if (policy == OnRedisUnavailable.CLOSED) {
                throw e;
            }
            return local.acquire(caller, reservedTokens, nowMillis);
        }
    }

    @Override
    public boolean isBlocking() {
        return redis.isBlocking();
    }

    @Override
    public void close() {
        redis.close();
    }
}
