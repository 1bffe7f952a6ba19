package dev.gatehouse.server.gateway.limits;

import dev.gatehouse.server.gateway.ModelPrice;
import dev.gatehouse.server.gateway.limits.BudgetRule.Unit;
import dev.gatehouse.server.gateway.metering.Caller;
import dev.gatehouse.server.store.Database;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Update;

/**
 * Budgets in the {@code budgets} table: one row per scope, subject, period ({@code 2026-03-01},
 * {@code 2026-03} or {@code total}) and unit. Thread-safe; blocking.
 *
 * <p>A request reserves its worst case: prompt estimate plus its completion cap (in tokens, and in
 * spend at the highest price of the channels that may serve it), with one conditional {@code UPDATE
 * ... WHERE used + :n <= :limit} per budget in one transaction, so no number of concurrent requests
 * on any number of replicas can reserve more than a budget holds. When the worst case does not fit
 * but some is left, the request is granted a smaller completion allowance (at least one token),
 * all that is left, and its stream is cut there. Rows are locked in one order to avoid deadlocks.
 */
final class Budgets {
    private static final String RESERVE = """
            UPDATE budgets SET used = used + :n, updated_at = :now
            WHERE scope = :scope AND subject = :subject AND period = :period AND unit = :unit AND used + :n <= :limit""";
    private static final String CREATE = """
            INSERT INTO budgets (scope, subject, period, unit, used, updated_at)
            VALUES (:scope, :subject, :period, :unit, :n, :now)
            ON CONFLICT (scope, subject, period, unit) DO NOTHING""";
    private static final String ADJUST = """
            UPDATE budgets
            SET used = CASE WHEN used + :delta < 0 THEN 0 ELSE used + :delta END, updated_at = :now
            WHERE scope = :scope AND subject = :subject AND period = :period AND unit = :unit""";
    private static final String USED = """
            SELECT used FROM budgets WHERE scope = :scope AND subject = :subject AND period = :period AND unit = :unit""";
    private static final int ATTEMPTS = 4;
    private static final Comparator<Budget> LOCK_ORDER = Comparator.comparing(Budget::scope)
            .thenComparing(Budget::subject).thenComparing(Budget::period).thenComparing(Budget::unit);

    private final Database database;
    private final List<BudgetRule> general;
    private final Map<String, BudgetRule> bySubject;

    Budgets(Database database, List<BudgetRule> rules) {
        this.database = database;
        this.general = rules.stream().filter(rule -> rule.subject().isEmpty()).toList();
        this.bySubject = new HashMap<>();
        rules.stream().filter(rule -> rule.subject().isPresent())
                .forEach(rule -> bySubject.put(key(rule, rule.subject().get()), rule));
    }

    /** One budget row that applies to a request. */
    record Budget(BudgetRule rule, String subject, String period) {
        String scope() {
            return rule.scope().configName();
        }

        String unit() {
            return rule.unit().configName();
        }
    }

    /** What a reservation takes from every budget of its unit. */
    record Amounts(long tokens, long spendMicros) {
        long of(Budget budget) {
            return budget.rule().unit() == Unit.TOKENS ? tokens : spendMicros;
        }
    }

    /** A reservation made, or the budget that refused one. */
    sealed interface Outcome {}

    /** Reserved {@code amounts}; the request may produce {@code completionAllowance} completion tokens. */
    record Granted(Amounts amounts, long completionAllowance) implements Outcome {}

    record Refused(Budget budget) implements Outcome {}

    /** The budgets that apply to the caller at {@code nowMillis}, in lock order. */
    List<Budget> applicable(Caller caller, long nowMillis) {
        List<Budget> budgets = new ArrayList<>();
        for (BudgetRule rule : general) {
            String subject = rule.scope().subjectOf(caller);
            if (subject != null) {
                BudgetRule own = bySubject.getOrDefault(key(rule, subject), rule);
                budgets.add(new Budget(own, subject, rule.period().key(nowMillis)));
            }
        }
        for (BudgetRule rule : bySubject.values()) {
            String subject = rule.scope().subjectOf(caller);
            if (rule.subject().get().equals(subject) && general.stream().noneMatch(g -> sameRow(g, rule))) {
                budgets.add(new Budget(rule, subject, rule.period().key(nowMillis)));
            }
        }
        budgets.sort(LOCK_ORDER);
        return budgets;
    }

    /**
     * Reserves the demand's worst case ({@code cap} completion tokens) in every budget, or as much as
     * every budget still holds; refuses when not even the prompt and one completion token fit (the
     * prompt alone, for a request without completion).
     */
    Outcome reserve(List<Budget> budgets, Demand demand, long cap, long nowMillis) {
        long allowance = cap;
        Budget refusedBy = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Amounts amounts = amounts(demand, allowance);
            Optional<Budget> refused = tryReserve(budgets, amounts, nowMillis);
            if (refused.isEmpty()) {
                return new Granted(amounts, allowance);
            }
            refusedBy = refused.get();
            long fits = allowance;
            for (Budget budget : budgets) {
                long room = completionWithin(budget, budget.rule().limit() - used(budget), demand);
                if (room < fits) {
                    fits = room;
                    refusedBy = budget;
                }
            }
            if (fits < Math.min(1, cap)) {
                return new Refused(refusedBy);
            }
            allowance = fits; // less than asked, or the same again when another request settled meanwhile
        }
        return new Refused(refusedBy);
    }

    /** Adds the deltas (may be negative; never below 0) to every budget of their unit, in one transaction. */
    void adjust(List<Budget> budgets, Amounts delta, long nowMillis) {
        database.jdbi().useTransaction(handle -> {
            for (Budget budget : budgets) {
                long amount = delta.of(budget);
                if (amount != 0) {
                    row(handle.createUpdate(ADJUST), budget).bind("delta", amount).bind("now", nowMillis).execute();
                }
            }
        });
    }

    /** Used or reserved in one budget row; 0 if it has none yet. */
    long used(String scope, String subject, String period, String unit) {
        return database.jdbi().withHandle(handle -> handle.createQuery(USED)
                .bind("scope", scope).bind("subject", subject).bind("period", period).bind("unit", unit)
                .mapTo(Long.class).findOne().orElse(0L));
    }

    private long used(Budget budget) {
        return used(budget.scope(), budget.subject(), budget.period(), budget.unit());
    }

    private static Amounts amounts(Demand demand, long completion) {
        long tokens = Math.max(1, saturatedAdd(demand.promptTokens(), completion));
        long spend = demand.price().map(price -> price.spendMicros(demand.promptTokens(), completion)).orElse(0L);
        return new Amounts(tokens, spend);
    }

    /** The most completion tokens {@code left} of a budget pays for after the prompt. */
    private static long completionWithin(Budget budget, long left, Demand demand) {
        if (budget.rule().unit() == Unit.TOKENS) {
            return left - demand.promptTokens();
        }
        ModelPrice price = demand.price().orElseThrow(() -> new IllegalStateException(
                "a spend budget applies but the model has no price (the configuration check requires one)"));
        return price.completionTokensWithin(left, demand.promptTokens());
    }

    private Optional<Budget> tryReserve(List<Budget> budgets, Amounts amounts, long nowMillis) {
        try {
            database.jdbi().useTransaction(handle -> {
                for (Budget budget : budgets) {
                    if (!reserve(handle, budget, amounts.of(budget), nowMillis)) {
                        throw new RefusedBy(budget);
                    }
                }
            });
            return Optional.empty();
        } catch (RefusedBy refused) {
            return Optional.of(refused.budget);
        }
    }

    /** Rolls the reservation's transaction back. */
    private static final class RefusedBy extends RuntimeException {
        private final transient Budget budget;

        RefusedBy(Budget budget) {
            super(null, null, false, false);
            this.budget = budget;
        }
    }

    private static boolean reserve(Handle handle, Budget budget, long n, long nowMillis) {
        if (update(handle, budget, n, nowMillis) == 1) {
            return true;
        }
        if (n > budget.rule().limit()) {
            return false;
        }
        int created = row(handle.createUpdate(CREATE), budget).bind("n", n).bind("now", nowMillis).execute();
        return created == 1 || update(handle, budget, n, nowMillis) == 1;
    }

    private static int update(Handle handle, Budget budget, long n, long nowMillis) {
        return row(handle.createUpdate(RESERVE), budget).bind("n", n).bind("now", nowMillis)
                .bind("limit", budget.rule().limit()).execute();
    }

    private static Update row(Update update, Budget budget) {
        return update.bind("scope", budget.scope()).bind("subject", budget.subject()).bind("period", budget.period())
                .bind("unit", budget.unit());
    }

    private static String key(BudgetRule rule, String subject) {
        return rule.scope() + "/" + rule.period() + "/" + rule.unit() + "/" + subject;
    }

    private static boolean sameRow(BudgetRule general, BudgetRule specific) {
        return general.scope() == specific.scope() && general.period() == specific.period()
                && general.unit() == specific.unit();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
