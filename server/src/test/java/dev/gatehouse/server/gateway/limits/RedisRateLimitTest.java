package dev.gatehouse.server.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.gatehouse.server.gateway.limits.LimitsStoreConfig.OnRedisUnavailable;
import dev.gatehouse.server.gateway.limits.LimitsStoreConfig.Store;
import dev.gatehouse.server.gateway.metering.Caller;
import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.testing.MutableClock;
import dev.gatehouse.server.testing.TestRedis;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.gatehouse.server.testing.TcpCut;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Per-minute limits kept in the real Redis: two limiters stand for two replicas sharing it. Each
 * test has a key prefix of its own.
 */
class RedisRateLimitTest {
    private static final Caller A1 = new Caller("acme", "alice", null, "tok-1", "pat");
    private static final Caller A2 = new Caller("acme", "anna", null, "tok-2", "pat");

    /** Generous: the machine may be busy; only the outage test depends on the command timeout. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);

    private final TestRedis redis = TestRedis.connect();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00.250Z"));
    private final MeterRegistry metrics = new SimpleMeterRegistry();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
        redis.close();
    }

    @Test
    void twoReplicas_300ConcurrentRequests_admitExactlyTheOrganizationsRequestsPerMinute() throws Exception {
        LimitsConfig limits = new LimitsConfig(0, 0, 100, 0, 0, 0, 0, 0);
        GatewayLimiter a = replica(limits, redisStore(OnRedisUnavailable.CLOSED), Clock.systemUTC());
        GatewayLimiter b = replica(limits, redisStore(OnRedisUnavailable.CLOSED), Clock.systemUTC());
        assertThat(a.isBlocking()).as("admission waits on Redis: off the event loop").isTrue();
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);

        try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                GatewayLimiter replica = i % 2 == 0 ? a : b;
                Caller caller = new Caller("acme", "u", null, "tok-" + i, "pat");
                calls.add(pool.submit(() -> {
                    start.await();
                    String outcome;
                    try {
                        replica.admit(caller, 10);
                        outcome = "admitted";
                    } catch (LimitExceededException e) {
                        outcome = e.limit();
                    }
                    outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> call : calls) {
                call.get();
            }
        }

        assertThat(outcomes).hasSize(2);
        assertThat(outcomes.get("admitted")).hasValue(100);
        assertThat(outcomes.get("gateway.limits.orgRequestsPerMinute")).hasValue(200);
        assertThat(counted("refused")).as("Redis answered every time").isZero();
    }

    @Test
    void aRefusal_saysWhenTheOldestRequestLeavesTheWindow_asTheLocalWindowsDo() throws Exception {
        LimitsConfig limits = new LimitsConfig(3, 0, 0, 0, 0, 0, 0, 0);
        GatewayLimiter a = replica(limits, redisStore(OnRedisUnavailable.CLOSED), clock);
        GatewayLimiter b = replica(limits, redisStore(OnRedisUnavailable.CLOSED), clock);
        a.admit(A1, 10);
        clock.advance(Duration.ofSeconds(20));
        b.admit(A1, 10);
        a.admit(A1, 10);

        LimitExceededException refused = assertThatExceptionOfType(LimitExceededException.class)
                .isThrownBy(() -> b.admit(A1, 10)).actual();

        assertThat(refused.limit()).isEqualTo("gateway.limits.tokenRequestsPerMinute");
        assertThat(refused.retryAfterSeconds()).as("the first request, at 10:00:00, leaves at 10:01:00").isEqualTo(40);
        assertThat(refused.getMessage()).isEqualTo("Rate limit reached (3 requests per minute for this token): retry in 40 s.");
        b.admit(A2, 10);
        clock.advance(Duration.ofSeconds(40));
        b.admit(A1, 10);
    }

    @Test
    void settlingOnOneReplica_correctsTheTokensPerMinuteTheOtherSees() throws Exception {
        LimitsConfig limits = new LimitsConfig(0, 1_000, 0, 0, 0, 0, 0, 0);
        GatewayLimiter a = replica(limits, redisStore(OnRedisUnavailable.CLOSED), clock);
        GatewayLimiter b = replica(limits, redisStore(OnRedisUnavailable.CLOSED), clock);
        Reservation big = a.admit(A1, 900);
        assertThat(assertThatExceptionOfType(LimitExceededException.class).isThrownBy(() -> b.admit(A1, 200))
                .actual().limit()).isEqualTo("gateway.limits.tokenTokensPerMinute");

        big.settle(100);

        String key = redis.keyPrefix() + "token-tokens:tok-1";
        Await.until("the settlement reached Redis", Duration.ofSeconds(5), () -> windowTotal(key) == 100);
        b.admit(A1, 800).settle(850);
        Await.until("the second settlement reached Redis", Duration.ofSeconds(5), () -> windowTotal(key) == 950);
        assertThatExceptionOfType(LimitExceededException.class).isThrownBy(() -> a.admit(A1, 100));
    }

    @Test
    void windows_expire61SecondsAfterTheirLastWrite_andTheirOldSlotsAreDropped() throws Exception {
        LimitsConfig limits = new LimitsConfig(5, 1_000, 50, 10_000, 0, 0, 0, 0);
        GatewayLimiter a = replica(limits, redisStore(OnRedisUnavailable.CLOSED), clock);
        a.admit(A1, 10);

        List<String> keys = List.of("token-requests:tok-1", "org-requests:acme", "token-tokens:tok-1",
                "org-tokens:acme");
        for (String key : keys) {
            assertThat(redis.commands().pttl(redis.keyPrefix() + key)).as(key).isBetween(55_000L, 61_000L);
        }
        assertThat(redis.commands().hgetall(redis.keyPrefix() + "org-tokens:acme"))
                .isEqualTo(Map.of(Long.toString(clock.millis() / 1000), "10"));

        clock.advance(Duration.ofSeconds(61));
        a.admit(A1, 20);

        assertThat(redis.commands().hgetall(redis.keyPrefix() + "org-tokens:acme"))
                .as("the slot of a minute ago is gone")
                .isEqualTo(Map.of(Long.toString(clock.millis() / 1000), "20"));
    }

    @Test
    void aBudgetRefusal_releasesWhatTheWindowsTookInRedis() throws Exception {
        LimitsConfig limits = new LimitsConfig(1, 0, 0, 0, 0, 0, 0, 0);
        RateLimits rates = open(limits, redisStore(OnRedisUnavailable.CLOSED));
        RateLimits.Grant grant = rates.acquire(A1, 5, clock.millis());
        assertThatExceptionOfType(LimitExceededException.class)
                .isThrownBy(() -> rates.acquire(A1, 5, clock.millis()));

        grant.release(clock.millis());

        Await.until("the release reached Redis", Duration.ofSeconds(5),
                () -> windowTotal(redis.keyPrefix() + "token-requests:tok-1") == 0);
        rates.acquire(A1, 5, clock.millis());
    }

    @Test
    void redisUnreachable_failClosed_refusesWithRateLimitsUnavailable_andCountsIt() {
        LimitsConfig limits = new LimitsConfig(100, 0, 0, 0, 0, 0, 0, 0);
        GatewayLimiter limiter = replica(limits, unreachableStore(OnRedisUnavailable.CLOSED), clock);

        for (int i = 0; i < 3; i++) {
            assertThatExceptionOfType(RateLimitsUnavailableException.class).isThrownBy(() -> limiter.admit(A1, 1));
        }

        assertThat(counted("refused")).isEqualTo(3);
    }

    @Test
    void redisUnreachable_fallBackToLocal_admitsByThisReplicasOwnWindows_andCountsIt() throws Exception {
        LimitsConfig limits = new LimitsConfig(2, 0, 0, 0, 0, 0, 0, 0);
        GatewayLimiter limiter = replica(limits, unreachableStore(OnRedisUnavailable.LOCAL), clock);

        limiter.admit(A1, 1);
        limiter.admit(A1, 1);

        assertThat(assertThatExceptionOfType(LimitExceededException.class).isThrownBy(() -> limiter.admit(A1, 1))
                .actual().limit()).isEqualTo("gateway.limits.tokenRequestsPerMinute");
        assertThat(counted("local")).isEqualTo(3);
    }

    @Test
    void redisGoingAwayAndComingBack_failsClosedWithoutWaitingLongerThanTheCommandTimeout_thenAdmitsAgain() throws Exception {
        Vertx vertx = Vertx.vertx();
        opened.add(() -> vertx.close().await());
        URI target = URI.create(TestRedis.URL);
        TcpCut cut = TcpCut.to(vertx, target.getHost(), target.getPort());
        opened.add(cut);
        LimitsConfig limits = new LimitsConfig(100, 0, 0, 0, 0, 0, 0, 0);
        GatewayLimiter limiter = replica(limits, store("redis://127.0.0.1:" + cut.port(), OnRedisUnavailable.CLOSED),
                clock);
        limiter.admit(A1, 1);

        cut.cut();
        long start = System.nanoTime();
        assertThatExceptionOfType(RateLimitsUnavailableException.class).isThrownBy(() -> limiter.admit(A1, 1));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(COMMAND_TIMEOUT.plusSeconds(1));
        cut.restore();

        Await.until("Lettuce reconnected", Duration.ofSeconds(10), () -> {
            try {
                limiter.admit(A1, 1);
                return true;
            } catch (RateLimitsUnavailableException | LimitExceededException e) {
                return false;
            }
        });
        assertThat(counted("refused")).isPositive();
        assertThat(windowTotal(redis.keyPrefix() + "token-requests:tok-1")).as("the one before and the one after")
                .isEqualTo(2);
    }

    @Test
    void withoutPerMinuteLimits_redisIsNeverAsked() throws Exception {
        RateLimits rates = open(LimitsConfig.UNLIMITED, unreachableStore(OnRedisUnavailable.CLOSED));

        assertThat(rates.isBlocking()).isFalse();
        assertThat(rates.acquire(A1, 1, clock.millis())).isSameAs(RateLimits.Grant.NONE);
    }

    private GatewayLimiter replica(LimitsConfig limits, LimitsStoreConfig store, Clock clock) {
        return GatewayLimiter.create(limits, BudgetsConfig.NONE, open(limits, store), Optional.empty(), clock);
    }

    private RateLimits open(LimitsConfig limits, LimitsStoreConfig store) {
        RateLimits rates = RateLimits.open(store, limits, metrics);
        opened.add(rates);
        return rates;
    }

    private LimitsStoreConfig redisStore(OnRedisUnavailable onUnavailable) {
        return store(TestRedis.URL, onUnavailable);
    }

    private LimitsStoreConfig unreachableStore(OnRedisUnavailable onUnavailable) {
        return store(TestRedis.closedPortUrl(), onUnavailable);
    }

    private LimitsStoreConfig store(String url, OnRedisUnavailable onUnavailable) {
        return new LimitsStoreConfig(Store.REDIS, new LimitsStoreConfig.Redis(Optional.of(url), Optional.empty(),
                Optional.empty(), redis.keyPrefix(), CONNECT_TIMEOUT, COMMAND_TIMEOUT), onUnavailable);
    }

    private long windowTotal(String key) {
        return redis.commands().hvals(key).stream().mapToLong(Long::parseLong).sum();
    }

    private double counted(String decision) {
        var counter = metrics.find("gatehouse.gateway.limits.redis.unavailable").tag("decision", decision).counter();
        return counter == null ? 0 : counter.count();
    }
}
