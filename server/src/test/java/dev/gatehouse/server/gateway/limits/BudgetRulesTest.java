package dev.gatehouse.server.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.gatehouse.server.gateway.ModelPrice;
import dev.gatehouse.server.gateway.limits.BudgetRule.Period;
import dev.gatehouse.server.gateway.limits.BudgetRule.Scope;
import dev.gatehouse.server.gateway.limits.BudgetRule.Unit;
import dev.gatehouse.server.gateway.metering.Caller;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import dev.gatehouse.server.testing.MutableClock;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Budgets in any scope, period and unit: the worst case reserved, what is left granted, spend at the highest price. */
class BudgetRulesTest {
    private static final Caller ALICE_IN_SANDBOX = new Caller("acme", "alice", "sb-1", "tok-1", "sandbox");
    private static final Caller SERVICE = new Caller("acme", null, null, "svc-1", "service");
    /** 1 µEUR a prompt token, 2 a completion token. */
    private static final Optional<ModelPrice> PRICE =
            Optional.of(new ModelPrice(BigDecimal.ONE, BigDecimal.valueOf(2)));

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-31T23:00:00Z"));
    private TestStore store;
    private GatewayLimiter limiter;

    @AfterEach
    void close() throws Exception {
        if (limiter != null) {
            limiter.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aSpendBudget_reservesTheWorstCaseAtThePrice_andGrantsWhatIsLeftAsCompletionTokens(TestDatabases.Kind kind)
            throws Exception {
        limiter = limiter(kind, 100, rule(Scope.USER, Period.MONTHLY, Unit.SPEND, 1_000, null));

        Reservation first = limiter.admit(ALICE_IN_SANDBOX, new Demand(10, OptionalLong.of(200), PRICE));
        assertThat(first.completionAllowance()).isEqualTo(200);
        assertThat(used("user", "alice", "2026-03", Unit.SPEND)).isEqualTo(10 + 400);
        Reservation second = limiter.admit(ALICE_IN_SANDBOX, new Demand(10, OptionalLong.empty(), PRICE));
        assertThat(second.completionAllowance()).as("the default reservation").isEqualTo(100);
        limiter.admit(ALICE_IN_SANDBOX, new Demand(10, OptionalLong.empty(), PRICE));
        Reservation fourth = limiter.admit(ALICE_IN_SANDBOX, new Demand(10, OptionalLong.empty(), PRICE));
        assertThat(fourth.completionAllowance()).as("what is left: (1000 - 410 - 210 - 210 - 10) / 2").isEqualTo(80);
        assertThat(used("user", "alice", "2026-03", Unit.SPEND)).isEqualTo(1_000);
        LimitExceededException refused = assertThatExceptionOfType(LimitExceededException.class)
                .isThrownBy(() -> limiter.admit(ALICE_IN_SANDBOX, new Demand(10, OptionalLong.empty(), PRICE))).actual();
        assertThat(refused.getMessage()).isEqualTo(
                "Monthly spend budget exhausted (0.001 EUR per UTC month for this user): retry in 3600 s.");
        assertThat(refused.limit()).isEqualTo("gateway.limits.budgets[0]");

        first.settle(15, 20);
        limiter.awaitSettlements();
        assertThat(used("user", "alice", "2026-03", Unit.SPEND)).isEqualTo(1_000 - 410 + 20);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aBudgetForOneSubject_replacesTheGeneralOne_andScopesWithoutASubjectDoNotApply(TestDatabases.Kind kind)
            throws Exception {
        limiter = limiter(kind, 4_096,
                rule(Scope.SANDBOX, Period.DAILY, Unit.TOKENS, 50, null),
                rule(Scope.SANDBOX, Period.DAILY, Unit.TOKENS, 5_000, "sb-1"),
                rule(Scope.USER, Period.TOTAL, Unit.TOKENS, 20, "bob"));

        assertThat(limiter.admit(ALICE_IN_SANDBOX, Demand.tokens(3_000)).completionAllowance()).isEqualTo(3_000);
        assertThat(limiter.admit(SERVICE, Demand.tokens(3_000)).completionAllowance())
                .as("a service token has no user and no sandbox: no budget applies").isEqualTo(Long.MAX_VALUE);
        assertThat(used("sandbox", "sb-1", "2026-03-31", Unit.TOKENS)).isEqualTo(3_000);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aRequestWithoutCompletion_needsRoomForItsPromptOnly(TestDatabases.Kind kind) throws Exception {
        limiter = limiter(kind, 4_096, rule(Scope.ORGANIZATION, Period.TOTAL, Unit.TOKENS, 30, null));

        Reservation embedding = limiter.admit(ALICE_IN_SANDBOX, new Demand(25, OptionalLong.of(0), Optional.empty()));

        assertThat(embedding.completionAllowance()).isZero();
        assertThat(used("organization", "acme", "total", Unit.TOKENS)).isEqualTo(25);
        assertThatExceptionOfType(LimitExceededException.class).isThrownBy(() ->
                limiter.admit(ALICE_IN_SANDBOX, new Demand(25, OptionalLong.of(0), Optional.empty())));
    }

    @Test
    void twoBudgetsForTheSameRow_areRefused_naming_both() {
        BudgetsConfig budgets = new BudgetsConfig(4_096,
                List.of(rule(Scope.ORGANIZATION, Period.DAILY, Unit.TOKENS, 10, null)), Optional.empty());
        LimitsConfig legacy = new LimitsConfig(0, 0, 0, 0, 0, 500, 0, 0);

        assertThat(budgets.duplicateWith(legacy)).hasValue("gateway.limits.budgets[0] and"
                + " gateway.limits.orgDailyTokenBudget both set a daily tokens budget per organization");
        assertThatIllegalArgumentException().isThrownBy(() -> GatewayLimiter.create(legacy, budgets, RateLimits.local(legacy), Optional.empty(), clock));
    }

    @Test
    void prices_chargeEveryStartedMicro_andBoundTheCompletionTokensABudgetPaysFor() {
        ModelPrice price = new ModelPrice(new BigDecimal("0.15"), new BigDecimal("0.6"));

        assertThat(price.spendMicros(10, 10)).isEqualTo(8); // 1.5 + 6 = 7.5, rounded up
        assertThat(price.completionTokensWithin(100, 10)).isEqualTo(163); // (100 - 2) / 0.6
        assertThat(price.completionTokensWithin(1, 10)).isNegative();
        assertThat(ModelPrice.highest(List.of(price, new ModelPrice(BigDecimal.ONE, BigDecimal.ZERO))))
                .hasValue(new ModelPrice(BigDecimal.ONE, new BigDecimal("0.6")));
        assertThatIllegalArgumentException().isThrownBy(() -> new ModelPrice(new BigDecimal("0.0000001"), BigDecimal.ONE))
                .withMessageContaining("at most 6 decimals");
    }

    private GatewayLimiter limiter(TestDatabases.Kind kind, long defaultReservation, BudgetRule... rules) {
        store = kind.create(dir);
        return GatewayLimiter.create(LimitsConfig.UNLIMITED,
                new BudgetsConfig(defaultReservation, List.of(rules), Optional.of("EUR")),
                RateLimits.local(LimitsConfig.UNLIMITED), Optional.of(store.open()), clock);
    }

    private static BudgetRule rule(Scope scope, Period period, Unit unit, long limit, String subject) {
        return new BudgetRule("gateway.limits.budgets[0]", scope, period, unit, limit, Optional.ofNullable(subject));
    }

    private long used(String scope, String subject, String period, Unit unit) {
        return limiter.budgetUsed(scope, subject, period, unit);
    }
}
