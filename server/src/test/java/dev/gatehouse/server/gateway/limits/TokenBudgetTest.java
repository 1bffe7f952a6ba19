package dev.gatehouse.server.gateway.limits;

import dev.gatehouse.server.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.gatehouse.server.gateway.metering.Caller;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Daily and total token budgets kept atomically in the database, on SQLite and the real PostgreSQL. */
class TokenBudgetTest {
    private static final Caller A1 = new Caller("acme", "alice", null, "tok-1", "pat");
    private static final Caller A2 = new Caller("acme", "anna", null, "tok-2", "pat");
    private static final String DAY = "2026-03-01";

    @TempDir
    Path dir;

    private TestStore store;
    private GatewayLimiter limiter;
    private final MutableClock clock = new MutableClock(Instant.parse(DAY + "T23:59:00.500Z").minus(Duration.ofHours(1)));

    @AfterEach
    void drop() throws Exception {
        if (limiter != null) {
            limiter.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void twoHundredConcurrentAdmissions_cannotOverspendADailyBudget(TestDatabases.Kind kind) throws Exception {
        limiter = limiter(kind, new LimitsConfig(0, 0, 0, 0, 1_000, 0, 0, 0));
        int threads = 200;
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Throwable> errors = new ArrayList<>();
        List<Thread> running = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            running.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    limiter.admit(A1, 10);
                    admitted.incrementAndGet();
                } catch (LimitExceededException e) {
                    assertThat(e.limit()).isEqualTo("gateway.limits.tokenDailyTokenBudget");
                    refused.incrementAndGet();
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            }));
        }
        start.countDown();
        for (Thread thread : running) {
            thread.join();
        }

        assertThat(errors).isEmpty();
        assertThat(admitted.get()).isEqualTo(100);
        assertThat(refused.get()).isEqualTo(100);
        assertThat(limiter.budgetUsed("token", "tok-1", DAY)).isEqualTo(1_000);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void twoHundredConcurrentAdmissions_acrossTwoReplicas_cannotOverspendAnOrganizationsTotalBudget(
            TestDatabases.Kind kind) throws Exception {
        LimitsConfig config = new LimitsConfig(0, 0, 0, 0, 0, 0, 0, 777);
        limiter = limiter(kind, config);
        GatewayLimiter other = GatewayLimiter.create(config, Optional.of(store.open()), clock);
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger admitted = new AtomicInteger();
        List<Thread> running = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            GatewayLimiter replica = i % 2 == 0 ? limiter : other;
            Caller caller = i % 3 == 0 ? A2 : A1;
            running.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    replica.admit(caller, 7);
                    admitted.incrementAndGet();
                } catch (LimitExceededException | InterruptedException e) {
                    // refused
                }
            }));
        }
        start.countDown();
        for (Thread thread : running) {
            thread.join();
        }
        other.close();

        assertThat(admitted.get()).isEqualTo(111);
        assertThat(limiter.budgetUsed("organization", "acme", "total")).isEqualTo(777);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void settling_replacesTheEstimate_andReleasingGivesTheBudgetBack(TestDatabases.Kind kind) throws Exception {
        limiter = limiter(kind, new LimitsConfig(0, 0, 0, 0, 1_000, 0, 0, 0));
        Reservation first = limiter.admit(A1, 600);
        assertThat(first.completionAllowance()).isEqualTo(600);
        Reservation rest = limiter.admit(A1, 500);
        assertThat(rest.completionAllowance()).as("what is left, not the worst case").isEqualTo(400);
        assertThatExceptionOfType(LimitExceededException.class).isThrownBy(() -> limiter.admit(A1, 1));
        rest.settle(0);

        first.settle(300);
        first.settle(900);
        limiter.awaitSettlements();
        limiter.admit(A1, 500).settle(0);
        limiter.awaitSettlements();
        Reservation over = limiter.admit(A1, 700);
        over.settle(800);
        limiter.close();

        assertThat(limiter.budgetUsed("token", "tok-1", DAY))
                .as("usage beyond the estimate is charged in full, even past the budget").isEqualTo(1_100);
        LimitExceededException refused = assertThatExceptionOfType(LimitExceededException.class)
                .isThrownBy(() -> limiter.admit(A1, 0)).actual();
        assertThat(refused.limit()).isEqualTo("gateway.limits.tokenDailyTokenBudget");
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void dailyBudget_refusesUntilTheNextUtcDay_totalBudgetIsNotRetryable(TestDatabases.Kind kind) throws Exception {
        limiter = limiter(kind, new LimitsConfig(0, 0, 0, 0, 100, 0, 150, 0));
        clock.advance(Duration.ofMinutes(60)); // 23:59:00.500
        limiter.admit(A1, 100);

        LimitExceededException daily = assertThatExceptionOfType(LimitExceededException.class)
                .isThrownBy(() -> limiter.admit(A1, 1)).actual();
        assertThat(daily.limit()).isEqualTo("gateway.limits.tokenDailyTokenBudget");
        assertThat(daily.retryAfterSeconds()).isEqualTo(60);
        assertThat(daily.isBudget()).isTrue();
        assertThat(daily.getMessage()).isEqualTo(
                "Daily token budget exhausted (100 tokens per UTC day for this token): retry in 60 s.");

        clock.advance(Duration.ofSeconds(60));
        limiter.admit(A1, 50);
        LimitExceededException total = assertThatExceptionOfType(LimitExceededException.class)
                .isThrownBy(() -> limiter.admit(A1, 1)).actual();
        assertThat(total.limit()).isEqualTo("gateway.limits.tokenTotalTokenBudget");
        assertThat(total.retryable()).isFalse();
        assertThat(total.retryAfterSeconds()).isZero();
        assertThat(limiter.budgetUsed("token", "tok-1", "2026-03-02")).as("the refusal reserved nothing").isEqualTo(50);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aBudgetWithLessThanTheWorstCaseLeft_grantsWhatIsLeft_andARefusalRollsBackTheOthers(TestDatabases.Kind kind) throws Exception {
        limiter = limiter(kind, new LimitsConfig(5, 0, 0, 0, 1_000, 100, 0, 0));
        limiter.admit(A2, 95);
        Reservation partial = limiter.admit(A1, 20);
        assertThat(partial.completionAllowance()).as("the 5 tokens the organization has left").isEqualTo(5);

        LimitExceededException refused = assertThatExceptionOfType(LimitExceededException.class)
                .isThrownBy(() -> limiter.admit(A1, 20)).actual();

        assertThat(refused.limit()).isEqualTo("gateway.limits.orgDailyTokenBudget");
        assertThat(limiter.budgetUsed("token", "tok-1", DAY)).as("only the partial reservation").isEqualTo(5);
        assertThat(limiter.budgetUsed("organization", "acme", DAY)).isEqualTo(100);
        partial.settle(0);
        limiter.awaitSettlements();
        for (int i = 0; i < 4; i++) {
            limiter.admit(A1, 1);
        }
        assertThat(assertThatExceptionOfType(LimitExceededException.class).isThrownBy(() -> limiter.admit(A1, 1))
                .actual().limit()).as("the refused request's rate reservation was released too")
                .isEqualTo("gateway.limits.tokenRequestsPerMinute");
    }

    private GatewayLimiter limiter(TestDatabases.Kind kind, LimitsConfig config) {
        store = kind.create(dir);
        Database database = store.open();
        GatewayLimiter created = GatewayLimiter.create(config, Optional.of(database), clock);
        assertThat(created.isBlocking()).isTrue();
        return created;
    }
}
