package dev.gatehouse.server.gateway.metering;

import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.QueryInstants;
import dev.gatehouse.server.http.Shown;
import io.vertx.core.MultiMap;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The query parameters the admin usage routes share: the time range and the dimension filters, and
 * the one check that every parameter is known, given once and not empty. Each failure is an
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
            names.add(dimension.apiName());
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

    /** The exact-match filters given. */
    static Map<UsageDimension, String> filters(MultiMap params) {
        Map<UsageDimension, String> filters = new EnumMap<>(UsageDimension.class);
        for (UsageDimension dimension : UsageDimension.values()) {
            String value = params.get(dimension.apiName());
            if (value != null) {
                filters.put(dimension, value);
            }
        }
        return filters;
    }
}
