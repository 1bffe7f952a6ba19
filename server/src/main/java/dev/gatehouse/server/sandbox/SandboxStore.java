package dev.gatehouse.server.sandbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/** SQL over {@code sandboxes}; every method runs on the caller's handle. */
final class SandboxStore {
    private static final String LIVE = "('pending', 'running', 'stopping')";

    private SandboxStore() {}

    static void insert(Handle handle, Sandbox sandbox) {
        handle.createUpdate("""
                        INSERT INTO sandboxes (id, name, owner_subject, owner_issuer, organization, profile, model, backend,
                                               status, created_at, updated_at, last_active_at, mode, provider,
                                               credential_version)
                        VALUES (:id, :name, :ownerSubject, :ownerIssuer, :organization, :profile, :model, :backend,
                                :status, :createdAt, :createdAt, :createdAt, :mode, :provider, :credentialVersion)""")
                .bind("id", sandbox.id())
                .bind("name", sandbox.name().orElse(null))
                .bind("ownerSubject", sandbox.ownerSubject())
                .bind("ownerIssuer", sandbox.ownerIssuer())
                .bind("organization", sandbox.organization())
                .bind("profile", sandbox.profile())
                .bind("model", sandbox.model().orElse(null))
                .bind("backend", sandbox.backend())
                .bind("status", sandbox.status().value())
                .bind("createdAt", sandbox.createdAt().toEpochMilli())
                .bind("mode", sandbox.mode())
                .bind("provider", sandbox.provider().orElse(null))
                .bind("credentialVersion", sandbox.credentialVersion().orElse(null))
                .execute();
    }

    static Optional<Sandbox> find(Handle handle, String id) {
        return handle.createQuery("SELECT * FROM sandboxes WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> sandbox(rs))
                .findOne();
    }

    /** Not deleted, newest first. */
    static List<Sandbox> listOwnedBy(Handle handle, String organization, String subject, String issuer) {
        return handle.createQuery("""
                        SELECT * FROM sandboxes
                        WHERE organization = :organization AND owner_issuer = :issuer AND owner_subject = :subject
                          AND deleted_at IS NULL
                        ORDER BY created_at DESC, id""")
                .bind("organization", organization)
                .bind("issuer", issuer)
                .bind("subject", subject)
                .map((rs, ctx) -> sandbox(rs))
                .list();
    }

    /** Not deleted, newest first. */
    static List<Sandbox> listOrganization(Handle handle, String organization) {
        return handle.createQuery("""
                        SELECT * FROM sandboxes WHERE organization = :organization AND deleted_at IS NULL
                        ORDER BY created_at DESC, id""")
                .bind("organization", organization)
                .map((rs, ctx) -> sandbox(rs))
                .list();
    }

    /** Every sandbox, deleted ones included, newest first: the operator's view. */
    static List<Sandbox> listAll(Handle handle) {
        return handle.createQuery("SELECT * FROM sandboxes ORDER BY created_at DESC, id")
                .map((rs, ctx) -> sandbox(rs))
                .list();
    }

    /** Pending, running and stopping sandboxes of every owner, on the backend of {@code scope}. */
    static List<Sandbox> live(Handle handle, String scope) {
        return handle.createQuery("SELECT * FROM sandboxes WHERE status IN " + LIVE
                        + " AND backend = :scope ORDER BY created_at, id")
                .bind("scope", scope)
                .map((rs, ctx) -> sandbox(rs))
                .list();
    }

    /**
     * Takes the organization's lock row (creating it on first use) until the transaction ends, so that
     * quota counts made after it see every sandbox the previous holder inserted.
     */
    static void lockOrganization(Handle handle, String organization, Instant now) {
        int touched = handle.createUpdate("""
                        UPDATE sandbox_quota_locks SET last_created_at = :now WHERE organization = :organization""")
                .bind("organization", organization)
                .bind("now", now.toEpochMilli())
                .execute();
        if (touched == 1) {
            return;
        }
        handle.createUpdate("""
                        INSERT INTO sandbox_quota_locks (organization, last_created_at) VALUES (:organization, :now)
                        ON CONFLICT (organization) DO NOTHING""")
                .bind("organization", organization)
                .bind("now", now.toEpochMilli())
                .execute();
        // A concurrent first creation inserted the row between our UPDATE and INSERT: lock it now.
        handle.createUpdate("UPDATE sandbox_quota_locks SET last_created_at = :now WHERE organization = :organization")
                .bind("organization", organization)
                .bind("now", now.toEpochMilli())
                .execute();
    }

    /** Pending and running sandboxes of the organization, and of one owner in it. */
    static Counts countLive(Handle handle, String organization, String subject, String issuer) {
        return handle.createQuery("""
                        SELECT COUNT(*) AS organization_count,
                               SUM(CASE WHEN owner_subject = :subject AND owner_issuer = :issuer THEN 1 ELSE 0 END)
                                   AS owner_count
                        FROM sandboxes
                        WHERE organization = :organization AND status IN ('pending', 'running')""")
                .bind("organization", organization)
                .bind("subject", subject)
                .bind("issuer", issuer)
                .map((rs, ctx) -> new Counts(rs.getInt("organization_count"), rs.getInt("owner_count")))
                .one();
    }

    record Counts(int organization, int owner) {}

    /**
     * Moves {@code id} to {@code to} if its status is one of {@code from}: the one way statuses
     * change, so that of several replicas exactly one makes each change.
     *
     * @return whether this call made the change
     */
    static boolean transition(Handle handle, String id, Collection<SandboxStatus> from, SandboxStatus to,
            Optional<String> reason, Instant now) {
        String fromList = String.join(", ", from.stream().map(status -> "'" + status.value() + "'").toList());
        return handle.createUpdate("UPDATE sandboxes SET status = :to, reason = COALESCE(:reason, reason),"
                        + " updated_at = :now, ended_at = CASE WHEN :ended THEN :now ELSE ended_at END"
                        + " WHERE id = :id AND status IN (" + fromList + ")")
                .bind("to", to.value())
                .bind("reason", reason.orElse(null))
                .bind("now", now.toEpochMilli())
                .bind("ended", to.ended())
                .bind("id", id)
                .execute() == 1;
    }

    /** Pending → running at {@code endpoint}; false when it is not pending (any more). */
    static boolean markRunning(Handle handle, String id, SandboxEndpoint endpoint, Instant now) {
        return handle.createUpdate("""
                        UPDATE sandboxes SET status = 'running', endpoint = :endpoint, running_at = :now,
                                             last_active_at = :now, updated_at = :now
                        WHERE id = :id AND status = 'pending'""")
                .bind("endpoint", endpoint.toString())
                .bind("now", now.toEpochMilli())
                .bind("id", id)
                .execute() == 1;
    }

    /** Whether a sandbox with this id is recorded (in any status, deleted or not). */
    static boolean exists(Handle handle, String id) {
        return handle.createQuery("SELECT COUNT(*) FROM sandboxes WHERE id = :id").bind("id", id)
                .mapTo(Integer.class).one() > 0;
    }

    /** Hides the sandbox from the API; false when it was already deleted. */
    static boolean markDeleted(Handle handle, String id, Instant now) {
        return handle.createUpdate("""
                        UPDATE sandboxes SET deleted_at = :now, updated_at = :now
                        WHERE id = :id AND deleted_at IS NULL""")
                .bind("now", now.toEpochMilli())
                .bind("id", id)
                .execute() == 1;
    }

    /**
     * Records the first token of a sandbox still pending and not deleted.
     *
     * @return false when it was deleted or ended meanwhile (its new token must then be revoked too)
     */
    static boolean setFirstToken(Handle handle, String id, String tokenId, Instant expiresAt) {
        return handle.createUpdate("""
                        UPDATE sandboxes SET token_id = :tokenId, token_expires_at = :expiresAt
                        WHERE id = :id AND status = 'pending' AND deleted_at IS NULL""")
                .bind("tokenId", tokenId)
                .bind("expiresAt", expiresAt.toEpochMilli())
                .bind("id", id)
                .execute() == 1;
    }

    /**
     * Records a rotated token and releases the claim {@code claim} (the {@code until} of {@link
     * #claimRotation}), if the sandbox is still running, not deleted and claimed by the caller.
     *
     * @return false when it ended or was deleted meanwhile (its new token must then be revoked too)
     */
    static boolean setRotatedToken(Handle handle, String id, String tokenId, Instant expiresAt, Instant claim) {
        return handle.createUpdate("""
                        UPDATE sandboxes SET token_id = :tokenId, token_expires_at = :expiresAt, claimed_until = NULL
                        WHERE id = :id AND status = 'running' AND deleted_at IS NULL AND claimed_until = :claim""")
                .bind("tokenId", tokenId)
                .bind("expiresAt", expiresAt.toEpochMilli())
                .bind("id", id)
                .bind("claim", claim.toEpochMilli())
                .execute() == 1;
    }

    /**
     * Claims the rotation of {@code id}'s token, still the one expiring at {@code expiresAt}, until
     * {@code until}; false when another replica holds it or rotated it already.
     */
    static boolean claimRotation(Handle handle, String id, Instant expiresAt, Instant now, Instant until) {
        return handle.createUpdate("""
                        UPDATE sandboxes SET claimed_until = :until
                        WHERE id = :id AND status = 'running' AND token_expires_at = :expiresAt
                          AND (claimed_until IS NULL OR claimed_until < :now)""")
                .bind("until", until.toEpochMilli())
                .bind("id", id)
                .bind("expiresAt", expiresAt.toEpochMilli())
                .bind("now", now.toEpochMilli())
                .execute() == 1;
    }

    /**
     * Claims giving running BYOS sandbox {@code id} the subscription credential of {@code version}
     * until {@code until}; false when it has that version already or another replica holds the claim.
     */
    static boolean claimCredential(Handle handle, String id, long version, Instant now, Instant until) {
        return handle.createUpdate("""
                        UPDATE sandboxes SET claimed_until = :until
                        WHERE id = :id AND status = 'running' AND deleted_at IS NULL AND credential_version <> :version
                          AND (claimed_until IS NULL OR claimed_until < :now)""")
                .bind("until", until.toEpochMilli())
                .bind("id", id)
                .bind("version", version)
                .bind("now", now.toEpochMilli())
                .execute() == 1;
    }

    /** Records the credential version a BYOS sandbox was given and releases the claim {@code claim}. */
    static boolean setCredentialVersion(Handle handle, String id, long version, Instant claim) {
        return handle.createUpdate("""
                        UPDATE sandboxes SET credential_version = :version, claimed_until = NULL
                        WHERE id = :id AND status = 'running' AND deleted_at IS NULL AND claimed_until = :claim""")
                .bind("version", version)
                .bind("id", id)
                .bind("claim", claim.toEpochMilli())
                .execute() == 1;
    }

    static void releaseClaim(Handle handle, String id, Instant claim) {
        handle.createUpdate("UPDATE sandboxes SET claimed_until = NULL WHERE id = :id AND claimed_until = :claim")
                .bind("id", id)
                .bind("claim", claim.toEpochMilli())
                .execute();
    }

    /** Raises each sandbox's last activity to the given time (never lowers it). */
    static void recordActivity(Handle handle, Map<String, Long> lastActiveById) {
        PreparedBatch batch = handle.prepareBatch("""
                UPDATE sandboxes SET last_active_at = :at WHERE id = :id AND last_active_at < :at""");
        lastActiveById.forEach((id, at) -> batch.bind("id", id).bind("at", at).add());
        batch.execute();
    }

    /**
     * The time of the latest gateway call at or after {@code since} by a token of sandbox {@code id} in
     * {@code organization} (a token minted elsewhere for the same id in another organization does not count).
     */
    static OptionalLong lastGatewayCall(Handle handle, String id, String organization, Instant since) {
        Long at = handle.createQuery("""
                        SELECT MAX(occurred_at) FROM usage_records
                        WHERE sandbox = :id AND organization = :organization AND occurred_at >= :since""")
                .bind("id", id)
                .bind("organization", organization)
                .bind("since", since.toEpochMilli())
                .mapTo(Long.class)
                .one();
        return at == null ? OptionalLong.empty() : OptionalLong.of(at);
    }

    /** Forgets sandboxes that ended (or were deleted once ended) before {@code cutoff}. */
    static int purgeEndedBefore(Handle handle, Instant cutoff) {
        return handle.createUpdate("""
                        DELETE FROM sandboxes WHERE status IN ('stopped', 'failed') AND ended_at < :cutoff""")
                .bind("cutoff", cutoff.toEpochMilli())
                .execute();
    }

    private static Sandbox sandbox(ResultSet rs) throws SQLException {
        return new Sandbox(
                rs.getString("id"),
                Optional.ofNullable(rs.getString("name")),
                rs.getString("owner_subject"),
                rs.getString("owner_issuer"),
                rs.getString("organization"),
                rs.getString("profile"),
                Optional.ofNullable(rs.getString("model")),
                rs.getString("backend"),
                SandboxStatus.fromValue(rs.getString("status")),
                Optional.ofNullable(rs.getString("reason")),
                Optional.ofNullable(rs.getString("endpoint")).map(SandboxEndpoint::parse),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                instant(rs, "running_at"),
                instant(rs, "ended_at"),
                Instant.ofEpochMilli(rs.getLong("last_active_at")),
                Optional.ofNullable(rs.getString("token_id")),
                instant(rs, "token_expires_at"),
                instant(rs, "deleted_at"),
                Optional.ofNullable(rs.getString("provider")),
                number(rs, "credential_version"));
    }

    private static Optional<Long> number(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(value);
    }

    private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
    }
}
