package dev.gatehouse.server.gateway.metering;

import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.QueryInstants;
import dev.gatehouse.server.http.Shown;
import io.vertx.core.MultiMap;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The query parameters the usage routes share: the time range, the grouping, the dimension filters,
 * and the one check that every parameter is known, given once and not empty. Each failure is an
 * {@link ApiException} 400 with {@code unknown_parameter}, {@code missing_parameter} or
 * {@code invalid_parameter}. Stateless.
 */
final class UsageParameters {
    private UsageParameters() {}

    /** A time range, {@code from <= at < to}. */
    record Range(Instant from, Instant to) {}

    /** {@code from}, {@code to}, {@code others}, then each dimension's filter. */
    static Set<String> names(String... others) {
        Set<String> names = new LinkedHashSet<>(List.of("from", "to"));
        names.addAll(List.of(others));
        for (UsageDimension dimension : UsageDimension.values()) {
            if (dimension.filters()) {
                names.add(dimension.apiName());
            }
        }
        return Collections.unmodifiableSet(names);
    }

    /** Refuses a parameter not in {@code known}, given twice or empty. */
    static void check(MultiMap params, Set<String> known) {
        for (String name : params.names()) {
            if (!known.contains(name)) {
                throw ApiException.badRequest("unknown_parameter", "Unknown query parameter " + Shown.quote(name)
                        + " (expected: " + String.join(", ", known) + ").");
            }
            if (params.getAll(name).size() > 1) {
                throw ApiException.badRequest("invalid_parameter", name + ": given more than once (expected: once)");
            }
            if (params.get(name).isEmpty()) {
                throw ApiException.badRequest("invalid_parameter", name + ": \"\" (expected: not empty)");
            }
        }
    }

    /** The required {@code from}, then {@code to}, which must be after it. */
    static Range range(MultiMap params) {
        Instant from = QueryInstants.required(params, "from");
        Instant to = QueryInstants.required(params, "to");
        if (!to.isAfter(from)) {
            throw ApiException.badRequest("invalid_parameter", "to: \"" + to + "\" (expected: after from, " + from + ")");
        }
        return new Range(from, to);
    }

    /**
     * {@code from} and {@code to}, each optional: {@code to} defaults to {@code now} and {@code from}
     * to {@code defaultSpan} before {@code to}; the range may span at most {@code maxSpan}.
     */
    static Range range(MultiMap params, Instant now, Duration defaultSpan, Duration maxSpan) {
        Instant to = QueryInstants.optional(params, "to").orElse(now);
        Instant from = QueryInstants.optional(params, "from").orElseGet(() -> to.minus(defaultSpan));
        if (!to.isAfter(from)) {
            throw ApiException.badRequest("invalid_parameter", "to: \"" + to + "\" (expected: after from, " + from
                    + (params.contains("to") ? ")" : "; to defaults to now)"));
        }
        if (Duration.between(from, to).compareTo(maxSpan) > 0) {
            throw ApiException.badRequest("invalid_parameter", "to: \"" + to + "\" (expected: at most "
                    + maxSpan.toDays() + " days after from, " + from + ")");
        }
        return new Range(from, to);
    }

    /**
     * {@code groupBy}: a comma-separated list of dimensions out of {@code allowed}, each once;
     * {@code absent} when the parameter is not given.
     */
    static List<UsageDimension> groupBy(MultiMap params, Set<UsageDimension> allowed, List<UsageDimension> absent) {
        String text = params.get("groupBy");
        if (text == null) {
            return absent;
        }
        String names = allowed.stream().sorted().map(UsageDimension::apiName).collect(Collectors.joining(", "));
        List<UsageDimension> groupBy = new ArrayList<>();
        for (String given : text.split(",", -1)) {
            String name = given.strip();
            UsageDimension dimension = UsageDimension.fromApiName(name).filter(allowed::contains).orElseThrow(() ->
                    ApiException.badRequest("invalid_parameter", "groupBy: " + Shown.quote(name)
                            + " is not a dimension (expected: a comma-separated list of " + names + ")"));
            if (groupBy.contains(dimension)) {
                throw ApiException.badRequest("invalid_parameter",
                        "groupBy: \"" + dimension.apiName() + "\" given twice (expected: once)");
            }
            groupBy.add(dimension);
        }
        return List.copyOf(groupBy);
    }

    /** The exact-match filters given. */
    static Map<UsageDimension, String> filters(MultiMap params) {
        Map<UsageDimension, String> filters = new EnumMap<>(UsageDimension.class);
        for (UsageDimension dimension : UsageDimension.values()) {
            if (!dimension.filters()) {
                continue;
            }
            String value = params.get(dimension.apiName());
            if (value != null) {
                filters.put(dimension, value);
            }
        }
        return filters;
    }
}
