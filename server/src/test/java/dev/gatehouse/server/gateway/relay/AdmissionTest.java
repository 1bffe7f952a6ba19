package dev.gatehouse.server.gateway.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.limits.LimitExceededException;
import dev.gatehouse.server.gateway.limits.Demand;
import dev.gatehouse.server.gateway.limits.Limiter;
import dev.gatehouse.server.gateway.limits.Reservation;
import dev.gatehouse.server.gateway.metering.Caller;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admit stage: asynchronous for every limiter, blocking ones off the calling thread, refusals as the client's 429. */
class AdmissionTest {
    private static final Caller CALLER = new Caller("acme", "bob", "", "t-1", "pat");
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    @Test
    void aNonBlockingLimiter_answersAtOnce_onTheCallingThread() {
        AtomicReference<Thread> admittedOn = new AtomicReference<>();
        Reservation reservation = (tokens, spend) -> {};
        Limiter limiter = (caller, demand) -> {
            admittedOn.set(Thread.currentThread());
            return reservation;
        };

        Future<Reservation> admitted = new Admission(vertx, limiter).admit(CALLER, Demand.tokens(10));

        assertThat(admitted.isComplete()).isTrue();
        assertThat(admitted.result()).isSameAs(reservation);
        assertThat(admittedOn.get()).isSameAs(Thread.currentThread());
    }

    @Test
    void aBlockingLimiter_isCalledOnAWorkerThread() {
        AtomicReference<String> admittedOn = new AtomicReference<>();
        Limiter limiter = new Limiter() {
            @Override
            public Reservation admit(Caller caller, Demand demand) {
                admittedOn.set(Thread.currentThread().getName());
                return (tokens, spend) -> {};
            }

            @Override
            public boolean isBlocking() {
                return true;
            }
        };

        Future<Reservation> admitted = new Admission(vertx, limiter).admit(CALLER, Demand.tokens(10));

        assertThat(admitted.toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join()).isNotNull();
        assertThat(admittedOn.get()).startsWith("vert.x-worker-thread");
    }

    @Test
    void aBudgetRefusal_isA429InsufficientQuota_withItsRetryAfter() {
        Limiter limiter = (caller, demand) -> {
            throw new LimitExceededException("org_daily_token_budget", 120, true, "over budget");
        };

        GatewayException refused = failure(new Admission(vertx, limiter).admit(CALLER, Demand.tokens(10)));

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.code()).isEqualTo("insufficient_quota");
        assertThat(refused.getMessage()).isEqualTo("over budget Limit: org_daily_token_budget.");
    }

    @Test
    void aRateRefusal_isA429RateLimitExceeded() {
        Limiter limiter = (caller, demand) -> {
            throw new LimitExceededException("token_requests_per_minute", 3, false, "too fast");
        };

        GatewayException refused = failure(new Admission(vertx, limiter).admit(CALLER, Demand.tokens(10)));

        assertThat(refused.code()).isEqualTo("rate_limit_exceeded");
        assertThat(refused.getMessage()).isEqualTo("Rate limit exceeded (token_requests_per_minute).");
    }

    private static GatewayException failure(Future<Reservation> admitted) {
        assertThat(admitted.isComplete()).isTrue();
        assertThat(admitted.cause()).isInstanceOf(GatewayException.class);
        return (GatewayException) admitted.cause();
    }
}
