package dev.gatehouse.server.gateway.limits;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.limits.BudgetRule.Period;
import dev.gatehouse.server.gateway.limits.BudgetRule.Scope;
import dev.gatehouse.server.gateway.limits.BudgetRule.Unit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Budgets beyond the per-token and per-organization token budgets of {@link LimitsConfig}: any
 * scope, period and unit ({@code gateway.limits.budgets}), the reservation of a request that states
 * no output limit ({@code gateway.limits.defaultReservation}) and the currency prices and spend are
 * in ({@code gateway.currency}). Immutable.
 *
 * @param defaultReservation completion tokens reserved for a request without {@code max_tokens}
 *     (or {@code max_completion_tokens}, {@code max_output_tokens}), and where its stream is cut
 *     when a budget applies; {@code >= 1}
 * @param rules budgets in configuration order
 * @param currency an ISO 4217 code such as {@code EUR}; required once a price or a spend budget is set
 */
public record BudgetsConfig(long defaultReservation, List<BudgetRule> rules, Optional<String> currency) {
    public static final long DEFAULT_RESERVATION = 4_096;
    public static final BudgetsConfig NONE = new BudgetsConfig(DEFAULT_RESERVATION, List.of(), Optional.empty());
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    public BudgetsConfig {
        rules = List.copyOf(requireNonNull(rules, "rules"));
        requireNonNull(currency, "currency");
        if (defaultReservation < 1) {
            throw new IllegalArgumentException("defaultReservation: " + defaultReservation + " (expected: >= 1)");
        }
        currency.ifPresent(code -> {
            if (!CURRENCY.matcher(code).matches()) {
                throw new IllegalArgumentException("currency: \"" + code.replaceAll("[^A-Za-z0-9]", "?")
                        + "\" (expected: an ISO 4217 code of three capital letters, e.g. EUR)");
            }
        });
    }

    /** Whether a budget counts spend (and so needs prices and a currency). */
    public boolean hasSpendBudgets() {
        return rules.stream().anyMatch(rule -> rule.unit() == Unit.SPEND);
    }

    /**
     * Every budget in force: the legacy token budgets of {@code limits} first, then {@link #rules}.
     *
     * @throws IllegalArgumentException naming two rules for the same scope, period, unit and subject
     */
    public List<BudgetRule> allRules(LimitsConfig limits) {
        duplicateWith(limits).ifPresent(message -> {
            throw new IllegalArgumentException(message + " (expected: one of them)");
        });
        return combined(limits);
    }

    /** A message naming two rules that would count in the same row, if there are any. */
    public Optional<String> duplicateWith(LimitsConfig limits) {
        return duplicate(combined(limits));
    }

    private List<BudgetRule> combined(LimitsConfig limits) {
        List<BudgetRule> all = new ArrayList<>(legacy(limits));
        all.addAll(rules);
        return List.copyOf(all);
    }

    private static Optional<String> duplicate(List<BudgetRule> all) {
        Map<String, BudgetRule> seen = new HashMap<>();
        for (BudgetRule rule : all) {
            String row = rule.scope() + "/" + rule.period() + "/" + rule.unit() + "/" + rule.subject().orElse("*");
            BudgetRule first = seen.putIfAbsent(row, rule);
            if (first != null) {
                return Optional.of(rule.name() + " and " + first.name() + " both set a " + rule.period().configName()
                        + " " + rule.unit().configName() + " budget per " + rule.scope().configName()
                        + rule.subject().map(s -> " for " + s).orElse(""));
            }
        }
        return Optional.empty();
    }

    private static List<BudgetRule> legacy(LimitsConfig limits) {
        List<BudgetRule> rules = new ArrayList<>(4);
        String p = LimitsConfig.PREFIX;
        addIfSet(rules, p + "tokenDailyTokenBudget", Scope.TOKEN, Period.DAILY, limits.tokenDailyTokenBudget());
        addIfSet(rules, p + "tokenTotalTokenBudget", Scope.TOKEN, Period.TOTAL, limits.tokenTotalTokenBudget());
        addIfSet(rules, p + "orgDailyTokenBudget", Scope.ORGANIZATION, Period.DAILY, limits.orgDailyTokenBudget());
        addIfSet(rules, p + "orgTotalTokenBudget", Scope.ORGANIZATION, Period.TOTAL, limits.orgTotalTokenBudget());
        return rules;
    }

    private static void addIfSet(List<BudgetRule> rules, String name, Scope scope, Period period, long limit) {
        if (limit > 0) {
            rules.add(new BudgetRule(name, scope, period, Unit.TOKENS, limit, Optional.empty()));
        }
    }
}
