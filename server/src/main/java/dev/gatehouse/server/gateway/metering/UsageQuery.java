package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What usage to sum: records with {@code from <= at < to} matching every filter, grouped by the
 * given dimensions (none: one group), each group split by outcome. Immutable.
 *
 * @param from inclusive start
 * @param to exclusive end, after {@code from}
 * @param groupBy dimensions to group by, without repeats, in the order they are shown
 * @param filters exact values records must have
 */
public record UsageQuery(Instant from, Instant to, List<UsageDimension> groupBy, Map<UsageDimension, String> filters) {
    public UsageQuery {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        groupBy = List.copyOf(requireNonNull(groupBy, "groupBy"));
        filters = Map.copyOf(requireNonNull(filters, "filters"));
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("to: " + to + " (expected: after from, " + from + ")");
        }
        for (UsageDimension dimension : filters.keySet()) {
            if (!dimension.filters()) {
                throw new IllegalArgumentException("filters: " + dimension.apiName() + " (expected: one of "
                        + UsageDimension.FILTER_NAMES + ")");
            }
        }
        Set<UsageDimension> seen = new HashSet<>();
        for (UsageDimension dimension : groupBy) {
            if (!seen.add(dimension)) {
                throw new IllegalArgumentException("groupBy: " + dimension.apiName() + " given twice (expected: once)");
            }
        }
    }

    /** The filters in dimension order. */
    Map<UsageDimension, String> orderedFilters() {
        return filters.isEmpty() ? Map.of() : new EnumMap<>(filters);
    }
}
