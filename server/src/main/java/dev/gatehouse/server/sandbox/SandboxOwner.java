package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.http.ApiException;

/**
 * Who asks the sandbox API: a verified session's subject, issuer and organization, and whether it
 * may see and stop every sandbox of that organization ({@value #ORG_ADMIN}).
 *
 * @param subject the session's {@code sub}
 * @param issuer the session's {@code iss}
 * @param organization the session's organization
 * @param orgAdmin whether the session carries {@value #ORG_ADMIN}
 */
public record SandboxOwner(String subject, String issuer, String organization, boolean orgAdmin) {
    public static final String ORG_ADMIN = "org:admin";

    public SandboxOwner {
        requireNonNull(subject, "subject");
        requireNonNull(issuer, "issuer");
        requireNonNull(organization, "organization");
    }

    /** @throws ApiException 403 {@code organization_required} when the session names no organization */
    public static SandboxOwner of(Claims session) {
        String organization = session.organization().orElseThrow(() -> new ApiException(403,
                "organization_required", "Your session names no organization; a sandbox belongs to one."));
        return new SandboxOwner(session.subject(), session.issuer(), organization,
                session.hasCapability(ORG_ADMIN));
    }

    public Actor actor() {
        return new Actor(subject, issuer);
    }

    /** Whether this caller owns {@code sandbox}. */
    public boolean owns(Sandbox sandbox) {
        return sandbox.ownerSubject().equals(subject) && sandbox.ownerIssuer().equals(issuer)
                && sandbox.organization().equals(organization);
    }

    /** Whether this caller may see and stop {@code sandbox}: its owner, or an admin of its organization. */
    public boolean mayManage(Sandbox sandbox) {
        return owns(sandbox) || orgAdmin && sandbox.organization().equals(organization);
    }
}
