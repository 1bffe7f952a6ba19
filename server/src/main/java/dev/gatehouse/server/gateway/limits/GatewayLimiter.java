package dev.gatehouse.server.gateway.limits;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.limits.Budgets.Amounts;
import dev.gatehouse.server.gateway.limits.Budgets.Budget;
import dev.gatehouse.server.gateway.limits.Budgets.Granted;
import dev.gatehouse.server.gateway.limits.Budgets.Refused;
import dev.gatehouse.server.gateway.metering.Caller;
import dev.gatehouse.server.store.Database;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Limiter} of the gateway, enforcing {@link LimitsConfig} and {@link BudgetsConfig} for
 * every caller.
 *
 * <p>Per-minute limits (requests and tokens, per token and per organization) are sliding 60-second
 * windows with one-second slots kept by a {@link RateLimits}: in this process's memory, where <b>each
 * replica enforces them on its own</b> ({@link LocalRateLimits}), or in Redis, shared by every
 * replica ({@link RedisRateLimits}, which makes {@link #isBlocking()} true). They count a request's
 * estimate (prompt plus its stated output limit) until its usage is known.
 *
 * <p>Budgets (tokens or spend, per organization, user, sandbox or token, per UTC day, month or in
 * total) live in the {@code budgets} table and hold across replicas: admission reserves the
 * request's worst case, or what is left when that is less ({@link Budgets}). Cost: one database
 * transaction per request when any budget applies (plus one more, in the background, when it is
 * settled with a different amount); none otherwise ({@link #isBlocking()} is then false). If the
 * database fails, admission fails with that error (closed, not open).
 *
 * <p>Order of checks: token requests, organization requests, token tokens, organization tokens,
 * then the budgets; whatever an earlier check reserved is released when a later one refuses.
 * Requests count against the per-minute request limits even when they later fail.
 *
 * <p>Thread-safe. {@link #close()} waits for background settlements.
 */
public final class GatewayLimiter implements Limiter, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayLimiter.class);

    private final LimitsConfig config;
    private final Clock clock;
    private final long defaultReservation;
    private final String currency;
    private final RateLimits rates;
    private final Budgets budgets;
    private final ExecutorService settlements;
    private final AtomicLong pendingSettlements = new AtomicLong();

    private GatewayLimiter(LimitsConfig config, BudgetsConfig budgetsConfig, List<BudgetRule> rules, RateLimits rates,
            Optional<Database> database, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.rates = rates;
        this.defaultReservation = budgetsConfig.defaultReservation();
        this.currency = budgetsConfig.currency().orElse("");
        this.budgets = rules.isEmpty() ? null : new Budgets(database.orElseThrow(), rules);
        this.settlements = budgets == null ? null
                : Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("gatehouse-budget-settle-", 0).factory());
    }

    /** A limiter of {@code config}'s limits and token budgets only, its windows in this process's memory. */
    public static GatewayLimiter create(LimitsConfig config, Optional<Database> database, Clock clock) {
        return create(config, BudgetsConfig.NONE, RateLimits.local(requireNonNull(config, "config")), database, clock);
    }

    /**
     * A limiter for the configuration, with its per-minute windows kept by {@code rates} (built for
     * the same {@code config}; the caller closes it after this limiter).
     *
     * @param database where budgets are kept; may be empty only when no budget is configured
     * @throws IllegalArgumentException if a budget is configured but no database given, or two
     *     budgets count the same row
     */
    public static GatewayLimiter create(LimitsConfig config, BudgetsConfig budgets, RateLimits rates,
            Optional<Database> database, Clock clock) {
        requireNonNull(config, "config");
        requireNonNull(budgets, "budgets");
        requireNonNull(rates, "rates");
        requireNonNull(database, "database");
        requireNonNull(clock, "clock");
        List<BudgetRule> rules = budgets.allRules(config);
        if (!rules.isEmpty() && database.isEmpty()) {
            throw new IllegalArgumentException("database: empty (expected: a database when a budget is set)");
        }
        return new GatewayLimiter(config, budgets, rules, rates, database, clock);
    }

    @Override
    public boolean isBlocking() {
        return budgets != null || rates.isBlocking();
    }

    @Override
    public Reservation admit(Caller caller, Demand demand) throws LimitExceededException {
        requireNonNull(caller, "caller");
        requireNonNull(demand, "demand");
        if (!config.hasLimits() && budgets == null) {
            return Reservation.NONE;
        }
        long now = clock.millis();
        long reserved = Math.max(demand.estimatedTokens(), 1);
        RateLimits.Grant rate = rates.acquire(caller, reserved, now);
        List<Budget> held = budgets == null ? List.of() : budgets.applicable(caller, now);
        if (held.isEmpty()) {
            return new Held(rate, held, reserved, NOTHING, Long.MAX_VALUE);
        }
        Budgets.Outcome outcome;
        try {
            outcome = budgets.reserve(held, demand, demand.completionCap(defaultReservation), now);
        } catch (RuntimeException e) {
            rate.release(now);
            throw e;
        }
        return switch (outcome) {
            case Granted granted -> new Held(rate, held, reserved, granted.amounts(), granted.completionAllowance());
            case Refused refused -> {
                rate.release(now);
                throw budgetRefusal(refused.budget(), now);
            }
        };
    }

    /** Waits (at most 30 s) for settlements still being written; idempotent. */
    @Override
    public void close() {
        if (settlements == null) {
            return;
        }
        settlements.shutdown();
        try {
            if (!settlements.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("token budget settlements still running after 30s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until every settlement so far has been written (for tests). */
    void awaitSettlements() throws InterruptedException {
        while (pendingSettlements.get() > 0) {
            Thread.sleep(2);
        }
    }

    /** Tokens reserved or used in one token budget row (for tests and operators); blocking. */
    long budgetUsed(String scope, String subject, String period) {
        return budgetUsed(scope, subject, period, BudgetRule.Unit.TOKENS);
    }

    /** Reserved or used in one budget row, in its unit (for tests and operators); blocking. */
    long budgetUsed(String scope, String subject, String period, BudgetRule.Unit unit) {
        return budgets == null ? 0 : budgets.used(scope, subject, period, unit.configName());
    }

    private LimitExceededException budgetRefusal(Budget budget, long now) {
        BudgetRule rule = budget.rule();
        boolean tokens = rule.unit() == BudgetRule.Unit.TOKENS;
        String amount = tokens ? rule.limit() + " tokens"
                : BigDecimal.valueOf(rule.limit(), 6).stripTrailingZeros().toPlainString() + " " + currency;
        String kind = tokens ? "token budget" : "spend budget";
        String whose = "this " + rule.scope().configName();
        long nextPeriod = rule.period().nextStartMillis(now);
        if (nextPeriod < 0) {
            return new LimitExceededException(rule.name(), 0, true, Character.toUpperCase(kind.charAt(0))
                    + kind.substring(1) + " exhausted (" + amount + " in total for " + whose + ").");
        }
        long seconds = Math.max(1, (nextPeriod - now + 999) / 1000);
        boolean daily = rule.period() == BudgetRule.Period.DAILY;
        return new LimitExceededException(rule.name(), seconds, true, (daily ? "Daily " : "Monthly ") + kind
                + " exhausted (" + amount + " per UTC " + (daily ? "day" : "month") + " for " + whose + "): retry in "
                + seconds + " s.");
    }

    private static final Amounts NOTHING = new Amounts(0, 0);

    /** One admitted request's reservation. */
    private final class Held implements Reservation {
        private final RateLimits.Grant rate;
        private final List<Budget> budgetRows;
        private final long windowTokens;
        private final Amounts budgeted;
        private final long completionAllowance;
        private final AtomicBoolean settled = new AtomicBoolean();

        Held(RateLimits.Grant rate, List<Budget> budgetRows, long windowTokens, Amounts budgeted,
                long completionAllowance) {
            this.rate = rate;
            this.budgetRows = budgetRows;
            this.windowTokens = windowTokens;
            this.budgeted = budgeted;
            this.completionAllowance = completionAllowance;
        }

        @Override
        public long completionAllowance() {
            return completionAllowance;
        }

        @Override
        public void settle(long actualTokens, long actualSpendMicros) {
            if (actualTokens < 0 || actualSpendMicros < 0) {
                throw new IllegalArgumentException("actualTokens: " + actualTokens + ", actualSpendMicros: "
                        + actualSpendMicros + " (expected: >= 0)");
            }
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            long now = clock.millis();
            long windowDelta = actualTokens - windowTokens;
            if (windowDelta != 0) {
                rate.adjustTokens(windowDelta, now);
            }
            Amounts delta = new Amounts(actualTokens - budgeted.tokens(), actualSpendMicros - budgeted.spendMicros());
            if (budgetRows.isEmpty() || delta.equals(NOTHING)) {
                return;
            }
            pendingSettlements.incrementAndGet();
            try {
                settlements.execute(() -> adjustBudgets(delta, now));
            } catch (RejectedExecutionException e) {
                adjustBudgets(delta, now); // closed: settle on the caller's thread rather than lose it
            }
        }

        private void adjustBudgets(Amounts delta, long now) {
            try {
                budgets.adjust(budgetRows, delta, now);
            } catch (RuntimeException e) {
                log.atWarn().setCause(e).addKeyValue("tokens", delta.tokens())
                        .addKeyValue("spendMicros", delta.spendMicros())
                        .log("settling budgets failed; they keep the reservation");
            } finally {
                pendingSettlements.decrementAndGet();
            }
        }
    }
}
