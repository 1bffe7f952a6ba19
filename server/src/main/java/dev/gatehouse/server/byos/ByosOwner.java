package dev.gatehouse.server.byos;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.audit.AuditEvent.Actor;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Whose subscription: a session's subject, issuer and organization. A subscription connected in one
 * organization is not another's.
 */
public record ByosOwner(String subject, String issuer, String organization) {
    public ByosOwner {
        requireNonNull(subject, "subject");
        requireNonNull(issuer, "issuer");
        requireNonNull(organization, "organization");
    }

    public Actor actor() {
        return new Actor(subject, issuer);
    }

    /**
     * The vault context of this owner's secret {@code what} for {@code provider}: a sealed value opens
     * only here. Each part is length-prefixed, so no two owners' contexts coincide whatever characters
     * their identifiers hold.
     */
    String context(String provider, String what) {
        return Stream.of(issuer, subject, organization, provider, what)
                .map(part -> part.length() + ":" + part)
                .collect(Collectors.joining(";", "byos;", ""));
    }
}
