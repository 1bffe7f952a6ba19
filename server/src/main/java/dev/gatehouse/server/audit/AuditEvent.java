package dev.gatehouse.server.audit;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.store.TimeOrderedKeys;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * One entry of the audit log: who ({@link Actor}) did what ({@link #action()}) to which credential
 * ({@link #target()}), when, from where, and how it ended. Immutable.
 *
 * @param id unique; sorts by time of creation (epoch millis in hex, then random)
 * @param occurredAt when it happened
 * @param actor who did it
 * @param organization the organization it concerns, if any
 * @param action what was done, e.g. {@value #PAT_ISSUED}
 * @param target what it was done to, e.g. a token id
 * @param origin where the request came from
 * @param outcome how it ended
 * @param detail further facts; JSON-serialisable values (strings, numbers, booleans, lists, maps); never a credential
 */
public record AuditEvent(
        String id,
        Instant occurredAt,
        Actor actor,
        Optional<String> organization,
        String action,
        Optional<String> target,
        RequestOrigin origin,
        Outcome outcome,
        Map<String, Object> detail) {

    public static final String PAT_ISSUED = "pat.issued";
    public static final String PAT_REVOKED = "pat.revoked";
    public static final String PAT_REVOKE_REFUSED = "pat.revoke_refused";
    /** The audit log was read ({@code GET /admin/audit}); detail: the query. */
    public static final String AUDIT_READ = "audit.read";

    private static final SecureRandom RANDOM = new SecureRandom();

    public AuditEvent {
        requireNonNull(id, "id");
        requireNonNull(occurredAt, "occurredAt");
        requireNonNull(actor, "actor");
        requireNonNull(organization, "organization");
        requireNonNull(action, "action");
        requireNonNull(target, "target");
        requireNonNull(origin, "origin");
        requireNonNull(outcome, "outcome");
        detail = Map.copyOf(requireNonNull(detail, "detail"));
    }

    /** A new event with a fresh id. */
    public static AuditEvent of(Instant occurredAt, Actor actor, Optional<String> organization, String action,
            Optional<String> target, RequestOrigin origin, Outcome outcome, Map<String, Object> detail) {
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        String id = TimeOrderedKeys.millisecondPrefix(occurredAt) + HexFormat.of().formatHex(random);
        return new AuditEvent(id, occurredAt, actor, organization, action, target, origin, outcome, detail);
    }

    /**
     * Who acted: a subject as named by its issuer, or the admin secret ({@link #ADMIN}); for a
     * service account also its OAuth client, and the user it acted for when it said so.
     *
     * @param subject the {@code sub} of the caller's token
     * @param issuer the {@code iss} of the caller's token
     * @param client the OAuth client of a service account ({@code client_id} or {@code azp})
     * @param onBehalfOf the user named by the identity-propagation header (e.g.
     *     {@code X-Gatehouse-User}); an assertion of the caller, not verified by Gatehouse
     */
    public record Actor(String subject, String issuer, Optional<String> client, Optional<String> onBehalfOf) {
        /** Whoever presented the admin secret. */
        public static final Actor ADMIN = new Actor("admin", "urn:gatehouse:admin-secret");

        public Actor {
            requireNonNull(subject, "subject");
            requireNonNull(issuer, "issuer");
            requireNonNull(client, "client");
            requireNonNull(onBehalfOf, "onBehalfOf");
        }

        /** A subject of an issuer, acting for itself. */
        public Actor(String subject, String issuer) {
            this(subject, issuer, Optional.empty(), Optional.empty());
        }

        /** This actor, acting for {@code user}. */
        public Actor onBehalfOf(String user) {
            return new Actor(subject, issuer, client, Optional.of(requireNonNull(user, "user")));
        }
    }

    /**
     * Where a request came from.
     *
     * @param sourceIp the peer address of the connection (no proxy header is trusted)
     * @param requestId the request's {@code X-Request-Id}
     */
    public record RequestOrigin(Optional<String> sourceIp, Optional<String> requestId) {
        /** No request: a background or operator action. */
        public static final RequestOrigin NONE = new RequestOrigin(Optional.empty(), Optional.empty());

        public RequestOrigin {
            requireNonNull(sourceIp, "sourceIp");
            requireNonNull(requestId, "requestId");
        }
    }

    /** How an audited action ended. */
    public enum Outcome {
        SUCCESS("success"),
        REFUSED("refused");

        private final String value;

        Outcome(String value) {
            this.value = value;
        }

        /** The stored and shown form. */
        public String value() {
            return value;
        }

        public static Outcome fromValue(String value) {
            for (Outcome outcome : values()) {
                if (outcome.value.equals(value)) {
                    return outcome;
                }
            }
            throw new IllegalArgumentException("outcome: \"" + value + "\" (expected: success or refused)");
        }
    }
}
