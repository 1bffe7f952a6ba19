package dev.gatehouse.server.http;

import io.vertx.core.MultiMap;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Instants in query parameters ({@code ?from=2026-01-01T00:00:00Z}), the one way every admin query
 * reads them: ISO-8601, within the years 0000..9999 (the store keeps epoch milliseconds, and far
 * instants would overflow them), refused with 400 {@code invalid_parameter} otherwise.
 */
public final class QueryInstants {
    static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    private QueryInstants() {}

    /** Parameter {@code name}, if given. */
    public static Optional<Instant> optional(MultiMap params, String name) {
        String text = params.get(name);
        if (text == null) {
            return Optional.empty();
        }
        Instant instant;
        try {
            instant = Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("invalid_parameter", name + ": " + Shown.quote(text)
                    + " (expected: ISO-8601 instant, e.g. 2026-01-01T00:00:00Z)");
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw ApiException.badRequest("invalid_parameter", name + ": " + Shown.quote(text)
                    + " (expected: an instant from " + EARLIEST + " to " + LATEST + ")");
        }
        return Optional.of(instant);
    }

    /** Parameter {@code name}; 400 {@code missing_parameter} when it is not given. */
    public static Instant required(MultiMap params, String name) {
        return optional(params, name).orElseThrow(() -> ApiException.badRequest("missing_parameter",
                name + ": missing (expected: ISO-8601 instant, e.g. 2026-01-01T00:00:00Z)"));
    }
}
