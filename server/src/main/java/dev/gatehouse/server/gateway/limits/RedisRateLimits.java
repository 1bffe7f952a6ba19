package dev.gatehouse.server.gateway.limits;

import dev.gatehouse.server.gateway.metering.Caller;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-minute limits in Redis, shared by every replica: the same sliding 60-second windows of
 * one-second slots as {@link LocalRateLimits}, one hash per window ({@code <keyPrefix><kind>:<token
 * id or organization>}, field = epoch second) that expires 61 s after its last write. Admission is
 * one {@code EVALSHA} of {@code rate-acquire.lua}, which checks every window of the caller and takes
 * from all of them or none, atomically; it blocks for at most the command timeout. Releases and
 * settlements are sent with {@code rate-adjust.lua} without waiting; one that fails is logged and
 * lost (the window keeps the estimate until it slides out). Slots are stamped with the admitting
 * replica's clock. Thread-safe.
 */
final class RedisRateLimits implements RateLimits {
    private static final Logger log = LoggerFactory.getLogger(RedisRateLimits.class);
    private static final RedisScript ACQUIRE = RedisScript.load("rate-acquire.lua");
    private static final RedisScript ADJUST = RedisScript.load("rate-adjust.lua");
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final RedisLink link;
    private final String keyPrefix;
    private final LimitsConfig config;
    private final List<RateLimit> configured;
    private final boolean countsTokens;
    private final EveryInterval adjustFailureLog = new EveryInterval(Duration.ofMinutes(1));
    private final AtomicLong adjustmentsInFlight = new AtomicLong();

    RedisRateLimits(RedisLink link, String keyPrefix, LimitsConfig config) {
        this.link = link;
        this.keyPrefix = keyPrefix;
        this.config = config;
        this.configured = RateLimit.configured(config);
        this.countsTokens = configured.stream().anyMatch(RateLimit::countsTokens);
    }

    /** Starts connecting to {@code redis} (without waiting). */
    static RedisRateLimits connect(LimitsStoreConfig.Redis redis, LimitsConfig config) {
        return new RedisRateLimits(RedisLink.open(redis), redis.keyPrefix(), config);
    }

    /** Where Redis is, safe to log. */
    String location() {
        return link.location();
    }

    @Override
    public Grant acquire(Caller caller, long reservedTokens, long nowMillis) throws LimitExceededException {
        if (configured.isEmpty()) {
            return Grant.NONE;
        }
        int n = configured.size();
        String[] keys = new String[n];
        long[] amounts = new long[n];
        String[] args = new String[1 + 2 * n];
        args[0] = Long.toString(nowMillis);
        for (int i = 0; i < n; i++) {
            RateLimit rate = configured.get(i);
            keys[i] = keyPrefix + rate.windowKind() + ":" + rate.subject(caller);
            amounts[i] = rate.amount(reservedTokens);
            args[1 + 2 * i] = Long.toString(amounts[i]);
            args[2 + 2 * i] = Long.toString(rate.limit(config));
        }
        List<Long> answer;
        try {
            answer = ACQUIRE.call(link.sync(), ScriptOutputType.MULTI, keys, args);
        } catch (RedisException e) {
            throw new RateLimitsUnavailableException("Redis at " + link.location() + " did not answer", e);
        }
        int refused = answer.get(0).intValue();
        if (refused > 0) {
            RateLimit rate = configured.get(refused - 1);
            throw rate.refusal(rate.limit(config), answer.get(1));
        }
        return new Held(keys, amounts, answer.get(1));
    }

    @Override
    public boolean isBlocking() {
        return !configured.isEmpty();
    }

    /** Waits (at most 2 s) for corrections still on their way, then disconnects. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        while (adjustmentsInFlight.get() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        link.close();
    }

    private void send(String[] keys, long acquiredSecond, long nowMillis, long[] deltas) {
        String[] args = new String[2 + deltas.length];
        args[0] = Long.toString(acquiredSecond);
        args[1] = Long.toString(Math.floorDiv(nowMillis, 1000));
        for (int i = 0; i < deltas.length; i++) {
            args[2 + i] = Long.toString(deltas[i]);
        }
        adjustmentsInFlight.incrementAndGet();
        try {
            ADJUST.<Long>callAsync(link.async(), ScriptOutputType.INTEGER, keys, args)
                    .whenComplete((ignored, failure) -> {
                        adjustmentsInFlight.decrementAndGet();
                        if (failure != null) {
                            adjustmentLost(failure);
                        }
                    });
        } catch (RuntimeException e) {
            adjustmentsInFlight.decrementAndGet();
            adjustmentLost(e);
        }
    }

    private void adjustmentLost(Throwable failure) {
        if (adjustFailureLog.due()) {
            log.atWarn().addKeyValue("redis", link.location()).addKeyValue("reason", String.valueOf(failure.getMessage()))
                    .log("a rate-limit correction could not be sent to Redis; the window keeps the estimate");
        }
    }

    /** The windows one request took from, how much from each, and the second it was taken in. */
    private final class Held implements Grant {
        private final String[] keys;
        private final long[] amounts;
        private final long acquiredSecond;

        Held(String[] keys, long[] amounts, long acquiredSecond) {
            this.keys = keys;
            this.amounts = amounts;
            this.acquiredSecond = acquiredSecond;
        }

        @Override
        public void release(long nowMillis) {
            long[] deltas = new long[amounts.length];
            for (int i = 0; i < deltas.length; i++) {
                deltas[i] = -amounts[i];
            }
            send(keys, acquiredSecond, nowMillis, deltas);
        }

        @Override
        public void adjustTokens(long delta, long nowMillis) {
            if (!countsTokens) {
                return;
            }
            long[] deltas = new long[keys.length];
            for (int i = 0; i < deltas.length; i++) {
                deltas[i] = configured.get(i).countsTokens() ? delta : 0;
            }
            send(keys, acquiredSecond, nowMillis, deltas);
        }
    }
}
