package dev.gatehouse.server.gateway.limits;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.limits.TokenBudgets.Budget;
import dev.gatehouse.server.gateway.metering.Caller;
import dev.gatehouse.server.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
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
 * The {@link Limiter} of the gateway, enforcing {@link LimitsConfig} for every token and
 * organization.
 *
 * <p>Per-minute limits (requests and tokens, per token and per organization) are sliding 60-second
 * windows with one-second slots kept by a {@link RateLimits}: in this process's memory, where <b>each
 * replica enforces them on its own</b> ({@link LocalRateLimits}), or in Redis, shared by every
 * replica ({@link RedisRateLimits}, which makes {@link #isBlocking()} true).
 *
 * <p>Token budgets (daily per UTC day, total) live in the {@code token_budgets} table and hold
 * across replicas: admission reserves {@code max(estimatedTokens, 1)} tokens in every applicable
 * budget in one transaction with one conditional {@code UPDATE} per budget, so concurrent requests
 * cannot reserve more than a budget. Cost: one database transaction per request when any budget is
 * configured (plus one more, in the background, when it is settled with a different count); none
 * otherwise ({@link #isBlocking()} is then false). If the database fails, admission fails with
 * that error (closed, not open).
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
    private final RateLimits rates;
    private final TokenBudgets budgets;
    private final ExecutorService settlements;
    private final AtomicLong pendingSettlements = new AtomicLong();

    private GatewayLimiter(LimitsConfig config, RateLimits rates, Optional<Database> database, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.rates = rates;
        this.budgets = database.filter(db -> config.hasBudgets()).map(db -> new TokenBudgets(db, config)).orElse(null);
        this.settlements = budgets == null ? null
                : Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("gatehouse-budget-settle-", 0).factory());
    }

    /**
     * A limiter for the configuration, with its per-minute windows in this process's memory.
     *
     * @param database where budgets are kept; may be empty only when no budget is configured
     * @throws IllegalArgumentException if a budget is configured but no database given
     */
    public static GatewayLimiter create(LimitsConfig config, Optional<Database> database, Clock clock) {
        return create(config, RateLimits.local(requireNonNull(config, "config")), database, clock);
    }

    /**
     * A limiter for the configuration, with its per-minute windows kept by {@code rates} (built for
     * the same {@code config}; the caller closes it after this limiter).
     *
     * @param database where budgets are kept; may be empty only when no budget is configured
     * @throws IllegalArgumentException if a budget is configured but no database given
     */
    public static GatewayLimiter create(LimitsConfig config, RateLimits rates, Optional<Database> database,
            Clock clock) {
        requireNonNull(config, "config");
        requireNonNull(rates, "rates");
        requireNonNull(database, "database");
        requireNonNull(clock, "clock");
        if (config.hasBudgets() && database.isEmpty()) {
            throw new IllegalArgumentException("database: empty (expected: a database when a token budget is set)");
        }
        return new GatewayLimiter(config, rates, database, clock);
    }

    @Override
    public boolean isBlocking() {
        return budgets != null || rates.isBlocking();
    }

    @Override
    public Reservation admit(Caller caller, long estimatedTokens) throws LimitExceededException {
        requireNonNull(caller, "caller");
        if (estimatedTokens < 0) {
            throw new IllegalArgumentException("estimatedTokens: " + estimatedTokens + " (expected: >= 0)");
        }
        if (!config.hasLimits()) {
            return Reservation.NONE;
        }
        long now = clock.millis();
        long reserved = Math.max(estimatedTokens, 1);
        RateLimits.Grant rate = rates.acquire(caller, reserved, now);
        List<Budget> held = List.of();
        if (budgets != null) {
            held = budgets.applicable(caller, now);
            Optional<Budget> refused;
            try {
                refused = budgets.reserve(held, reserved, now);
            } catch (RuntimeException e) {
                rate.release(now);
                throw e;
            }
            if (refused.isPresent()) {
                rate.release(now);
                throw budgetRefusal(refused.get(), now);
            }
        }
        return new Held(rate, held, reserved);
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

    /** Tokens reserved or used in one budget row (for tests and operators); blocking. */
    long budgetUsed(String scope, String subject, String period) {
        return budgets == null ? 0 : budgets.used(scope, subject, period);
    }

    private static LimitExceededException budgetRefusal(Budget budget, long now) {
        String whose = budget.scope().equals("token") ? "this token" : "this organization";
        if (!budget.daily()) {
            return new LimitExceededException(budget.limitName(), 0, true,
                    "Token budget exhausted (" + budget.limit() + " tokens in total for " + whose + ").");
        }
        long nextDay = LocalDate.ofInstant(Instant.ofEpochMilli(now), ZoneOffset.UTC).plusDays(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        long seconds = Math.max(1, (nextDay - now + 999) / 1000);
        return new LimitExceededException(budget.limitName(), seconds, true,
                "Daily token budget exhausted (" + budget.limit() + " tokens per UTC day for " + whose
                        + "): retry in " + seconds + " s.");
    }

    /** One admitted request's reservation. */
    private final class Held implements Reservation {
        private final RateLimits.Grant rate;
        private final List<Budget> budgetRows;
        private final long reserved;
        private final AtomicBoolean settled = new AtomicBoolean();

        Held(RateLimits.Grant rate, List<Budget> budgetRows, long reserved) {
            this.rate = rate;
            this.budgetRows = budgetRows;
            this.reserved = reserved;
        }

        @Override
        public void settle(long actualTokens) {
            if (actualTokens < 0) {
                throw new IllegalArgumentException("actualTokens: " + actualTokens + " (expected: >= 0)");
            }
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            long delta = actualTokens - reserved;
            if (delta == 0) {
                return;
            }
            long now = clock.millis();
            rate.adjustTokens(delta, now);
            if (budgetRows.isEmpty()) {
                return;
            }
            pendingSettlements.incrementAndGet();
            try {
                settlements.execute(() -> adjustBudgets(delta, now));
            } catch (RejectedExecutionException e) {
                adjustBudgets(delta, now); // closed: settle on the caller's thread rather than lose it
            }
        }

        private void adjustBudgets(long delta, long now) {
            try {
                budgets.adjust(budgetRows, delta, now);
            } catch (RuntimeException e) {
                log.atWarn().setCause(e).addKeyValue("delta", delta)
                        .log("settling token budgets failed; they keep the estimate");
            } finally {
                pendingSettlements.decrementAndGet();
            }
        }
    }
}
