package dev.gatehouse.bench.load;

import dev.gatehouse.server.gateway.limits.BudgetsConfig;
import dev.gatehouse.server.gateway.limits.GatewayLimiter;
import dev.gatehouse.server.gateway.limits.LimitExceededException;
import dev.gatehouse.server.gateway.limits.LimitsConfig;
import dev.gatehouse.server.gateway.limits.LimitsStoreConfig;
import dev.gatehouse.server.gateway.limits.LimitsStoreConfig.OnRedisUnavailable;
import dev.gatehouse.server.gateway.limits.LimitsStoreConfig.Store;
import dev.gatehouse.server.gateway.limits.RateLimits;
import dev.gatehouse.server.gateway.metering.Caller;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The per-minute limits kept in each replica ({@code gateway.limits.store: local}) against kept in
 * Redis ({@code redis}), measured at the limiter ({@link GatewayLimiter#admit} and settle), in one
 * process and one session:
 *
 * <ol>
 *   <li><b>Accuracy across replicas</b>: two limiters (two "replicas") with one organization limit of
 *       {@code --limit} requests per minute; {@code --requests} admissions from 32 threads, half on
 *       each; how many were admitted.
 *   <li><b>Cost</b>: all four per-minute limits set (high enough to admit everything), 1000 tokens
 *       in 10 organizations; latency of one admission plus its settlement on one thread
 *       ({@code --latency-count} measured after as many unmeasured), then admissions per second on
 *       {@code --threads} threads for {@code --seconds}; local, Redis, local, Redis.
 * </ol>
 *
 * <p>Not included: the gateway's hop to a worker thread that a blocking limiter (Redis) costs, and
 * the HTTP path around it (see {@code gateway-limit.sh} for those). Redis timeouts are generous
 * (connect 5 s, command 2 s): this measures Redis's cost, not the outage policy. Keys get a random
 * prefix and expire 61 s after the run. Bounded: at most 64 threads, 60 s per phase.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.gatehouse.bench.load.SharedRateLimitsBench \
 *   --redis redis://127.0.0.1:6379 --limit 1000 --requests 3000 --threads 8 --seconds 5
 * </pre>
 */
public final class SharedRateLimitsBench {
    private static final long UNREACHABLE = 1_000_000_000_000L;

    private SharedRateLimitsBench() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Args.parse(argv);
        String redisUrl = Args.stringArg(args, "redis", "redis://127.0.0.1:6379");
        int limit = Args.intArg(args, "limit", 1000);
        int requests = Args.intArg(args, "requests", 3000);
        int threads = Math.min(64, Args.intArg(args, "threads", 8));
        int seconds = Math.min(60, Args.intArg(args, "seconds", 5));
        int latencyCount = Args.intArg(args, "latency-count", 20_000);

        System.out.println("| store | replicas | limit (org RPM) | requests | admitted |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Store store : List.of(Store.LOCAL, Store.REDIS)) {
            System.out.printf(Locale.ROOT, "| %s | 2 | %d | %d | %d |%n", store.configName(), limit, requests,
                    admittedByTwoReplicas(store(store, redisUrl), limit, requests));
        }

        System.out.println();
        System.out.println("| store | round | p50 µs | p99 µs | p99.9 µs | admissions/s (" + threads + " threads) |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (int round = 1; round <= 2; round++) {
            for (Store store : List.of(Store.LOCAL, Store.REDIS)) {
                LimitsConfig limits = new LimitsConfig(UNREACHABLE, UNREACHABLE, UNREACHABLE, UNREACHABLE, 0, 0, 0, 0);
                try (RateLimits rates = RateLimits.open(store(store, redisUrl), limits, new SimpleMeterRegistry());
                        GatewayLimiter limiter = GatewayLimiter.create(limits, BudgetsConfig.NONE, rates, Optional.empty(),
                                Clock.systemUTC())) {
                    latency(limiter, latencyCount);
                    Histogram measured = latency(limiter, latencyCount);
                    double perSecond = throughput(limiter, threads, Duration.ofSeconds(seconds));
                    System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %,.0f |%n", store.configName(),
                            round, measured.getValueAtPercentile(50) / 1000.0,
                            measured.getValueAtPercentile(99) / 1000.0, measured.getValueAtPercentile(99.9) / 1000.0,
                            perSecond);
                }
            }
        }
    }

    private static int admittedByTwoReplicas(LimitsStoreConfig store, int limit, int requests) throws Exception {
        LimitsConfig limits = new LimitsConfig(0, 0, limit, 0, 0, 0, 0, 0);
        try (RateLimits ratesA = RateLimits.open(store, limits, new SimpleMeterRegistry());
                RateLimits ratesB = RateLimits.open(store, limits, new SimpleMeterRegistry());
                GatewayLimiter a = GatewayLimiter.create(limits, BudgetsConfig.NONE, ratesA, Optional.empty(), Clock.systemUTC());
                GatewayLimiter b = GatewayLimiter.create(limits, BudgetsConfig.NONE, ratesB, Optional.empty(), Clock.systemUTC());
                ExecutorService pool = Executors.newFixedThreadPool(32)) {
            String organization = "org-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            AtomicInteger admitted = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                GatewayLimiter replica = i % 2 == 0 ? a : b;
                Caller caller = new Caller(organization, "u", null, "tok-" + i, "pat");
                calls.add(pool.submit(() -> {
                    start.await();
                    try {
                        replica.admit(caller, 10).settle(10);
                        admitted.incrementAndGet();
                    } catch (LimitExceededException refused) {
                        // counted by what was admitted
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> call : calls) {
                call.get();
            }
            return admitted.get();
        }
    }

    private static Histogram latency(GatewayLimiter limiter, int count) throws LimitExceededException {
        Histogram histogram = new Histogram(60_000_000_000L, 3);
        for (int i = 0; i < count; i++) {
            Caller caller = caller(i);
            long start = System.nanoTime();
            limiter.admit(caller, 100).settle(110);
            histogram.recordValue(System.nanoTime() - start);
        }
        return histogram;
    }

    private static double throughput(GatewayLimiter limiter, int threads, Duration duration) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int worker = t;
                workers.add(pool.submit(() -> {
                    for (int i = worker; System.nanoTime() < end; i += threads) {
                        limiter.admit(caller(i), 100).settle(110);
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
        return done.get() / (duration.toNanos() / 1e9);
    }

    private static Caller caller(int i) {
        return new Caller("org-" + (i % 10), "u", null, "tok-" + (i % 1000), "pat");
    }

    private static LimitsStoreConfig store(Store store, String redisUrl) {
        String prefix = "gh-bench:" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ":";
        return new LimitsStoreConfig(store, new LimitsStoreConfig.Redis(Optional.of(redisUrl), Optional.empty(),
                Optional.empty(), prefix, Duration.ofSeconds(5), Duration.ofSeconds(2)), OnRedisUnavailable.CLOSED);
    }
}
