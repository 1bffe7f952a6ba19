package dev.gatehouse.server.gateway.limits;

import dev.gatehouse.server.gateway.metering.Caller;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-minute limits in this process's memory: <b>each replica enforces them on its own</b>, so N
 * replicas admit up to N times the configured rate. A map look-up and a 60-slot scan per configured
 * limit, no I/O; windows idle for a minute are forgotten (swept every 4096 admissions). Thread-safe.
 */
final class LocalRateLimits implements RateLimits {
    private static final int SWEEP_EVERY = 4096;

    private final LimitsConfig config;
    private final List<RateLimit> configured;
    private final Map<RateLimit, ConcurrentMap<String, RateWindow>> windows = new EnumMap<>(RateLimit.class);
    private final AtomicLong admissions = new AtomicLong();

    LocalRateLimits(LimitsConfig config) {
        this.config = config;
        this.configured = RateLimit.configured(config);
        for (RateLimit rate : configured) {
            windows.put(rate, new ConcurrentHashMap<>());
        }
    }

    @Override
    public Grant acquire(Caller caller, long reservedTokens, long nowMillis) throws LimitExceededException {
        if (configured.isEmpty()) {
            return Grant.NONE;
        }
        sweepNowAndThen(nowMillis);
        RateWindow[] taken = new RateWindow[configured.size()];
        long[] amounts = new long[configured.size()];
        for (int i = 0; i < taken.length; i++) {
            RateLimit rate = configured.get(i);
            RateWindow window = windows.get(rate).computeIfAbsent(rate.subject(caller), k -> new RateWindow());
            long limit = rate.limit(config);
            long amount = rate.amount(reservedTokens);
            long retryMillis = window.tryAcquire(amount, limit, nowMillis);
            if (retryMillis > 0) {
                new Held(taken, amounts, nowMillis).release(nowMillis);
                throw rate.refusal(limit, retryMillis);
            }
            taken[i] = window;
            amounts[i] = amount;
        }
        return new Held(taken, amounts, nowMillis);
    }

    @Override
    public boolean isBlocking() {
        return false;
    }

    @Override
    public void close() {}

    private void sweepNowAndThen(long nowMillis) {
        if (admissions.incrementAndGet() % SWEEP_EVERY != 0) {
            return;
        }
        for (ConcurrentMap<String, RateWindow> byCaller : windows.values()) {
            byCaller.values().removeIf(window -> window.isIdle(nowMillis));
        }
    }

    /** The windows one request took from (null where it had not yet), and how much from each. */
    private final class Held implements Grant {
        private final RateWindow[] taken;
        private final long[] amounts;
        private final long acquiredAt;

        Held(RateWindow[] taken, long[] amounts, long acquiredAt) {
            this.taken = taken;
            this.amounts = amounts;
            this.acquiredAt = acquiredAt;
        }

        @Override
        public void release(long nowMillis) {
            for (int i = 0; i < taken.length; i++) {
                if (taken[i] != null) {
                    taken[i].adjust(-amounts[i], acquiredAt, nowMillis);
                }
            }
        }

        @Override
        public void adjustTokens(long delta, long nowMillis) {
            for (int i = 0; i < taken.length; i++) {
                if (taken[i] != null && configured.get(i).countsTokens()) {
                    taken[i].adjust(delta, acquiredAt, nowMillis);
                }
            }
        }
    }
}
