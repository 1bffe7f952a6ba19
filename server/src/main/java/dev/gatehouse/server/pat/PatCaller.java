package dev.gatehouse.server.pat;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.server.audit.AuditEvent.Actor;
import java.util.Optional;
import java.util.Set;

/**
 * Who asks to create, list or revoke personal access tokens: a verified session, or the admin
 * secret (which may revoke any token but owns none).
 *
 * @param subject the session's {@code sub}
 * @param issuer the session's {@code iss}
 * @param organization the session's organization
 * @param capabilities the session's capabilities
 * @param admin whether this is the admin secret
 */
public record PatCaller(
        String subject, String issuer, Optional<String> organization, Set<String> capabilities, boolean admin) {

    public static final PatCaller ADMIN =
            new PatCaller(Actor.ADMIN.subject(), Actor.ADMIN.issuer(), Optional.empty(), Set.of(), true);

    public PatCaller {
        requireNonNull(subject, "subject");
        requireNonNull(issuer, "issuer");
        requireNonNull(organization, "organization");
        capabilities = Set.copyOf(capabilities);
    }

    public static PatCaller of(Claims session) {
        requireNonNull(session, "session");
        return new PatCaller(session.subject(), session.issuer(), session.organization(), session.capabilities(),
                false);
    }

    public Actor actor() {
        return new Actor(subject, issuer);
    }
}
