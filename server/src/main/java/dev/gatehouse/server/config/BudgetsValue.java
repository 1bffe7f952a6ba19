package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.JsonFields.optionalText;
import static dev.gatehouse.server.config.JsonFields.requireObject;
import static dev.gatehouse.server.config.JsonFields.requiredText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.server.gateway.limits.BudgetRule;
import dev.gatehouse.server.gateway.limits.BudgetRule.Period;
import dev.gatehouse.server.gateway.limits.BudgetRule.Scope;
import dev.gatehouse.server.gateway.limits.BudgetRule.Unit;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

/**
 * {@code gateway.limits.budgets}: a JSON array (YAML: a list) of {@code {scope, period, tokens |
 * spend, subject}}. {@code tokens} is a whole number; {@code spend} an amount of {@code
 * gateway.currency} with at most 6 decimals, as a number or numeric text. Unknown fields are refused;
 * messages name the position ({@code [1].period}).
 */
final class BudgetsValue {
    private static final Set<String> FIELDS = Set.of("scope", "period", "tokens", "spend", "subject");
    static final String PREFIX = "gateway.limits.budgets";

    private BudgetsValue() {}

    static List<BudgetRule> parse(String text) {
        return JsonFields.list(text, "budget objects", BudgetsValue::rule);
    }

    static String format(List<BudgetRule> rules) {
        ArrayNode array = JsonFields.JSON.createArrayNode();
        for (BudgetRule rule : rules) {
            ObjectNode node = array.addObject()
                    .put("scope", rule.scope().configName())
                    .put("period", rule.period().configName());
            if (rule.unit() == Unit.TOKENS) {
                node.put("tokens", rule.limit());
            } else {
                node.put("spend", BigDecimal.valueOf(rule.limit(), 6).stripTrailingZeros().toPlainString());
            }
            rule.subject().ifPresent(subject -> node.put("subject", subject));
        }
        return array.toString();
    }

    private static BudgetRule rule(JsonNode node, String at) {
        requireObject(node, at, FIELDS, "{scope, period, tokens | spend, subject}");
        String scopeName = requiredText(node, at, "scope");
        Scope scope = Scope.fromConfigName(scopeName).orElseThrow(() -> new IllegalArgumentException(
                at + ".scope: \"" + printable(scopeName) + "\" (expected: organization, user, sandbox or token)"));
        String periodName = requiredText(node, at, "period");
        Period period = Period.fromConfigName(periodName).orElseThrow(() -> new IllegalArgumentException(
                at + ".period: \"" + printable(periodName) + "\" (expected: daily, monthly or total)"));
        JsonNode tokens = node.get("tokens");
        JsonNode spend = node.get("spend");
        if ((tokens == null) == (spend == null)) {
            throw new IllegalArgumentException(at + ": " + (tokens == null ? "neither tokens nor spend" : "both tokens and spend")
                    + " (expected: one of them)");
        }
        Unit unit = tokens != null ? Unit.TOKENS : Unit.SPEND;
        long limit = tokens != null ? wholeNumber(tokens, at + ".tokens") : micros(node, at);
        try {
            return new BudgetRule(PREFIX + at, scope, period, unit, limit, optionalText(node, at, "subject"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at + "." + e.getMessage(), e);
        }
    }

    private static long wholeNumber(JsonNode value, String at) {
        String text = value.isTextual() ? value.textValue().strip() : value.toString();
        try {
            long number = Long.parseLong(text);
            if (number >= 1) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(at + ": " + value + " (expected: a whole number >= 1)");
    }

    private static long micros(JsonNode node, String at) {
        BigDecimal amount = JsonFields.decimal(node, at, "spend");
        if (amount.signum() <= 0 || amount.stripTrailingZeros().scale() > 6) {
            throw new IllegalArgumentException(at + ".spend: " + amount.toPlainString()
                    + " (expected: an amount > 0 with at most 6 decimals)");
        }
        try {
            return amount.movePointRight(6).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(at + ".spend: " + amount.toPlainString() + " (expected: a smaller amount)");
        }
    }

    private static String printable(String text) {
        return text.replaceAll("[\\p{Cntrl}\"]", "?");
    }
}
