package dev.gatehouse.server.gateway.limits;

import dev.gatehouse.server.gateway.metering.Caller;
import dev.gatehouse.server.store.Database;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Token budgets in the {@code token_budgets} table: one row per scope, subject and period (a UTC
 * day or {@code total}). Admission is a conditional {@code UPDATE ... SET used = used + :n WHERE
 * used + :n <= :limit} per budget, all in one transaction, so any number of concurrent requests on
 * any number of replicas cannot reserve more than a budget. Thread-safe; blocking.
 */
final class TokenBudgets {
    static final String TOTAL = "total";

    private static final String RESERVE = """
            UPDATE token_budgets SET used = used + :n, updated_at = :now
            WHERE scope = :scope AND subject = :subject AND period = :period AND used + :n <= :limit""";
    private static final String CREATE = """
            INSERT INTO token_budgets (scope, subject, period, used, updated_at)
            VALUES (:scope, :subject, :period, :n, :now)
            ON CONFLICT (scope, subject, period) DO NOTHING""";
    private static final String ADJUST = """
            UPDATE token_budgets
            SET used = CASE WHEN used + :delta < 0 THEN 0 ELSE used + :delta END, updated_at = :now
            WHERE scope = :scope AND subject = :subject AND period = :period""";

    private final Database database;
    private final LimitsConfig config;

    TokenBudgets(Database database, LimitsConfig config) {
        this.database = database;
        this.config = config;
    }

    /** One budget row that applies to a request. */
    record Budget(String scope, String subject, String period, long limit, String limitName) {
        boolean daily() {
            return !period.equals(TOTAL);
        }
    }

    /** The budgets that apply to the caller on the UTC day of {@code nowMillis}, in lock order. */
    List<Budget> applicable(Caller caller, long nowMillis) {
        String day = LocalDate.ofInstant(Instant.ofEpochMilli(nowMillis), ZoneOffset.UTC).toString();
        List<Budget> budgets = new ArrayList<>(4);
        String p = LimitsConfig.PREFIX;
        if (config.tokenDailyTokenBudget() > 0) {
            budgets.add(new Budget("token", caller.tokenId(), day, config.tokenDailyTokenBudget(),
                    p + "tokenDailyTokenBudget"));
        }
        if (config.tokenTotalTokenBudget() > 0) {
            budgets.add(new Budget("token", caller.tokenId(), TOTAL, config.tokenTotalTokenBudget(),
                    p + "tokenTotalTokenBudget"));
        }
        if (config.orgDailyTokenBudget() > 0) {
            budgets.add(new Budget("organization", caller.organization(), day, config.orgDailyTokenBudget(),
                    p + "orgDailyTokenBudget"));
        }
        if (config.orgTotalTokenBudget() > 0) {
            budgets.add(new Budget("organization", caller.organization(), TOTAL, config.orgTotalTokenBudget(),
                    p + "orgTotalTokenBudget"));
        }
        return budgets;
    }

    /**
     * Reserves {@code n} tokens in every budget, or in none: the first budget that cannot take them
     * is returned and the transaction rolled back. One transaction, one statement per budget (two
     * more the first time a row is needed).
     */
    Optional<Budget> reserve(List<Budget> budgets, long n, long nowMillis) {
        try {
            database.jdbi().useTransaction(handle -> {
                for (Budget budget : budgets) {
                    if (!reserve(handle, budget, n, nowMillis)) {
                        throw new Refused(budget);
                    }
                }
            });
            return Optional.empty();
        } catch (Refused refused) {
            return Optional.of(refused.budget);
        }
    }

    /** Rolls the reservation's transaction back. */
    private static final class Refused extends RuntimeException {
        private final transient Budget budget;

        Refused(Budget budget) {
            super(null, null, false, false);
            this.budget = budget;
        }
    }

    private static boolean reserve(Handle handle, Budget budget, long n, long nowMillis) {
        if (update(handle, budget, n, nowMillis) == 1) {
            return true;
        }
        if (n > budget.limit()) {
            return false;
        }
        int created = handle.createUpdate(CREATE)
                .bind("scope", budget.scope())
                .bind("subject", budget.subject())
                .bind("period", budget.period())
                .bind("n", n)
                .bind("now", nowMillis)
                .execute();
        return created == 1 || update(handle, budget, n, nowMillis) == 1;
    }

    private static int update(Handle handle, Budget budget, long n, long nowMillis) {
        return handle.createUpdate(RESERVE)
                .bind("n", n)
                .bind("now", nowMillis)
                .bind("scope", budget.scope())
                .bind("subject", budget.subject())
                .bind("period", budget.period())
                .bind("limit", budget.limit())
                .execute();
    }

    /** Adds {@code delta} (may be negative; never below 0) to every budget, in one transaction. */
    void adjust(List<Budget> budgets, long delta, long nowMillis) {
        database.jdbi().useTransaction(handle -> {
            for (Budget budget : budgets) {
                handle.createUpdate(ADJUST)
                        .bind("delta", delta)
                        .bind("now", nowMillis)
                        .bind("scope", budget.scope())
                        .bind("subject", budget.subject())
                        .bind("period", budget.period())
                        .execute();
            }
        });
    }

    /** Tokens used or reserved in one budget row; 0 if it has none yet. */
    long used(String scope, String subject, String period) {
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT used FROM token_budgets WHERE scope = :scope AND subject = :subject"
                        + " AND period = :period")
                .bind("scope", scope).bind("subject", subject).bind("period", period)
                .mapTo(Long.class).findOne().orElse(0L));
    }
}
