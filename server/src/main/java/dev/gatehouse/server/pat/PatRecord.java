package dev.gatehouse.server.pat;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the store knows about one personal access token: everything but its value, which is never
 * stored. Immutable.
 *
 * @param id the token's {@code jti}
 * @param ownerSubject the {@code sub} of the session that created it (and of the token)
 * @param ownerIssuer the {@code iss} of that session
 * @param organization the token's {@code org_id}
 * @param name the owner's label for it
 * @param audience the token's single {@code aud}
 * @param capabilities the token's {@code capabilities}
 * @param createdAt its {@code iat}
 * @param expiresAt its {@code exp}
 * @param revokedAt when it was revoked
 * @param revokedBy the subject who revoked it ({@code admin} for the admin secret)
 * @param lastUsedAt when a verifier last accepted it, as last flushed (see {@link LastUsedTracker})
 */
public record PatRecord(
        String id,
        String ownerSubject,
        String ownerIssuer,
        String organization,
        String name,
        String audience,
        List<String> capabilities,
        Instant createdAt,
        Instant expiresAt,
        Optional<Instant> revokedAt,
        Optional<String> revokedBy,
        Optional<Instant> lastUsedAt) {

    public PatRecord {
        requireNonNull(id, "id");
        requireNonNull(ownerSubject, "ownerSubject");
        requireNonNull(ownerIssuer, "ownerIssuer");
        requireNonNull(organization, "organization");
        requireNonNull(name, "name");
        requireNonNull(audience, "audience");
        capabilities = List.copyOf(capabilities);
        requireNonNull(createdAt, "createdAt");
        requireNonNull(expiresAt, "expiresAt");
        requireNonNull(revokedAt, "revokedAt");
        requireNonNull(revokedBy, "revokedBy");
        requireNonNull(lastUsedAt, "lastUsedAt");
    }

    /** Whether {@code caller} owns this token: same subject, same issuer, same organization. */
    public boolean isOwnedBy(PatCaller caller) {
        return ownerSubject.equals(caller.subject()) && ownerIssuer.equals(caller.issuer())
                && caller.organization().filter(organization::equals).isPresent();
    }

    public Status status(Instant now) {
        if (revokedAt.isPresent()) {
            return Status.REVOKED;
        }
        return expiresAt.isAfter(now) ? Status.ACTIVE : Status.EXPIRED;
    }

    /** A token's state as listed. */
    public enum Status {
        ACTIVE,
        EXPIRED,
        REVOKED;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
