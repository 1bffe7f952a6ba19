package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * One page of raw usage records to export: records with {@code from <= at < to} matching every
 * filter, in {@code (occurred_at, id)} order, after {@code after} if given, at most {@code limit}.
 * Immutable.
 */
record UsageRecordsQuery(Instant from, Instant to, Map<UsageDimension, String> filters, Optional<RecordCursor> after,
        int limit) {
    /** Records per page unless {@code limit} says otherwise. */
    static final int DEFAULT_LIMIT = 1000;
    /** The largest {@code limit}. */
    static final int MAX_LIMIT = 100_000;

    UsageRecordsQuery {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        filters = Map.copyOf(requireNonNull(filters, "filters"));
        requireNonNull(after, "after");
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("to: " + to + " (expected: after from, " + from + ")");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1.." + MAX_LIMIT + ")");
        }
    }

    /** The filters in dimension order. */
    Map<UsageDimension, String> orderedFilters() {
        return filters.isEmpty() ? Map.of() : new EnumMap<>(filters);
    }
}
