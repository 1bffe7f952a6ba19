package dev.gatehouse.server.gateway.limits;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.metering.Caller;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/**
 * The per-minute limits of {@link LimitsConfig} (requests and tokens, per token and per
 * organization): sliding 60-second windows of one-second slots. One role: take a request's amounts
 * from every window that applies to its caller, all or none, and correct them later.
 *
 * <p>Kept in this process ({@link LimitsStoreConfig.Store#LOCAL}: each replica on its own) or in
 * Redis ({@link LimitsStoreConfig.Store#REDIS}: shared by every replica). Implementations are
 * thread-safe.
 */
public interface RateLimits extends AutoCloseable {

    /**
     * Takes one request and {@code reservedTokens} from every configured window of the caller, or
     * nothing.
     *
     * @throws LimitExceededException naming the first limit (in {@link RateLimit} order) that has no
     *     room, with the time until it has
     * @throws RateLimitsUnavailableException if the windows cannot be reached (Redis), having taken nothing
     */
    Grant acquire(Caller caller, long reservedTokens, long nowMillis) throws LimitExceededException;

    /** Whether {@link #acquire} may wait on the network, so must be called off the event loop. */
    boolean isBlocking();

    @Override
    void close();

    /** What {@link #acquire} took for one request. Thread-safe; never blocks. */
    interface Grant {
        /** A grant of nothing (no per-minute limit is configured). */
        Grant NONE = new Grant() {
            @Override
            public void release(long nowMillis) {}

            @Override
            public void adjustTokens(long delta, long nowMillis) {}
        };

        /** Gives back everything taken: a later check refused the request. */
        void release(long nowMillis);

        /**
         * Corrects the token windows by {@code delta} (actual minus reserved tokens): more is added
         * now; less is taken off the second the request was admitted in, while it is still in the
         * window.
         */
        void adjustTokens(long delta, long nowMillis);
    }

    /** Windows in this process's memory, as {@link GatewayLimiter#create(LimitsConfig, java.util.Optional, Clock)} uses. */
    static RateLimits local(LimitsConfig limits) {
        return new LocalRateLimits(requireNonNull(limits, "limits"));
    }

    /**
     * The windows {@code store} configures: local, or in Redis with {@code
     * store.onRedisUnavailable()} applied while Redis cannot be reached (counted in {@code
     * gatehouse.gateway.limits.redis.unavailable} of {@code metrics}). Connecting to Redis does not
     * wait: until it answers, Redis counts as unavailable.
     */
    static RateLimits open(LimitsStoreConfig store, LimitsConfig limits, MeterRegistry metrics) {
        requireNonNull(store, "store");
        requireNonNull(limits, "limits");
        requireNonNull(metrics, "metrics");
        if (store.store() == LimitsStoreConfig.Store.LOCAL || RateLimit.configured(limits).isEmpty()) {
            return local(limits);
        }
        return new RedisOutagePolicy(RedisRateLimits.connect(store.redis(), limits), local(limits),
                store.onRedisUnavailable(), metrics);
    }
}
