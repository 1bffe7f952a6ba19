package dev.gatehouse.server.audit;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * Which audit events to read, newest first. Every present filter must match.
 *
 * @param since only events at or after this instant
 * @param until only events before this instant
 * @param action only this action, e.g. {@code pat.revoked}
 * @param actor only events by this subject (any issuer)
 * @param organization only events concerning this organization
 * @param limit at most this many events, {@code 1..}{@value #MAX_LIMIT}
 */
public record AuditQuery(
        Optional<Instant> since,
        Optional<Instant> until,
        Optional<String> action,
        Optional<String> actor,
        Optional<String> organization,
        int limit) {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public AuditQuery {
        requireNonNull(since, "since");
        requireNonNull(until, "until");
        requireNonNull(action, "action");
        requireNonNull(actor, "actor");
        requireNonNull(organization, "organization");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1.." + MAX_LIMIT + ")");
        }
    }

    /** Every event, newest first, at most {@value #DEFAULT_LIMIT}. */
    public static AuditQuery latest() {
        return new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), DEFAULT_LIMIT);
    }
}
