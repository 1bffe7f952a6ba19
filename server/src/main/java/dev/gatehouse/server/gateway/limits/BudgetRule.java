package dev.gatehouse.server.gateway.limits;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.metering.Caller;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;

/**
 * One budget: at most {@code limit} tokens, or millionths of {@code gateway.currency}, per {@code
 * period} for each subject of {@code scope} (each organization, user, sandbox or token), or for one
 * subject only when {@code subject} is set (which then replaces the general rule of the same scope,
 * period and unit for that subject). Immutable.
 *
 * @param name where it was configured, for messages: {@code gateway.limits.budgets[2]} or a legacy
 *     key such as {@code gateway.limits.orgDailyTokenBudget}
 * @param limit {@code >= 1}: tokens, or millionths of the currency
 */
public record BudgetRule(String name, Scope scope, Period period, Unit unit, long limit, Optional<String> subject) {

    public BudgetRule {
        requireNonNull(name, "name");
        requireNonNull(scope, "scope");
        requireNonNull(period, "period");
        requireNonNull(unit, "unit");
        requireNonNull(subject, "subject");
        if (limit < 1) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: >= 1)");
        }
        subject.ifPresent(s -> {
            if (s.isBlank()) {
                throw new IllegalArgumentException("subject: \"\" (expected: an id, or absent for every subject)");
            }
        });
    }

    /** Whose usage a budget counts. */
    public enum Scope {
        ORGANIZATION, USER, SANDBOX, TOKEN;

        /** The caller's subject in this scope, or {@code null} (e.g. a service token has no user). */
        String subjectOf(Caller caller) {
            return switch (this) {
                case ORGANIZATION -> caller.organization();
                case USER -> caller.user();
                case SANDBOX -> caller.sandbox();
                case TOKEN -> caller.tokenId();
            };
        }

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Scope> fromConfigName(String name) {
            for (Scope scope : values()) {
                if (scope.configName().equals(name)) {
                    return Optional.of(scope);
                }
            }
            return Optional.empty();
        }
    }

    /** The span a budget is counted over, in UTC. */
    public enum Period {
        DAILY, MONTHLY, TOTAL;

        /** The period's row key at {@code nowMillis}: {@code 2026-03-01}, {@code 2026-03} or {@code total}. */
        String key(long nowMillis) {
            LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(nowMillis), ZoneOffset.UTC);
            return switch (this) {
                case DAILY -> day.toString();
                case MONTHLY -> day.toString().substring(0, 7);
                case TOTAL -> "total";
            };
        }

        /** When the next period starts, in epoch milliseconds; -1 for a total budget, which never renews. */
        long nextStartMillis(long nowMillis) {
            LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(nowMillis), ZoneOffset.UTC);
            LocalDate next = switch (this) {
                case DAILY -> day.plusDays(1);
                case MONTHLY -> day.withDayOfMonth(1).plusMonths(1);
                case TOTAL -> null;
            };
            return next == null ? -1 : next.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        }

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Period> fromConfigName(String name) {
            for (Period period : values()) {
                if (period.configName().equals(name)) {
                    return Optional.of(period);
                }
            }
            return Optional.empty();
        }
    }

    /** What a budget counts: tokens (prompt + completion) or spend. */
    public enum Unit {
        TOKENS, SPEND;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
