package dev.gatehouse.server.byos;

import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.Update;

/** SQL over {@code byos_connections} and {@code byos_states}; every method runs on the caller's handle. */
final class ByosStore {
    private static final String OWNER = """
            owner_issuer = :issuer AND owner_subject = :subject AND organization = :organization AND provider = :provider""";

    private ByosStore() {}

    static void insertState(Handle handle, PendingConnection pending) {
        handle.createUpdate("""
                        INSERT INTO byos_states (state_hash, owner_issuer, owner_subject, organization, provider,
                                                 verifier_sealed, return_to, expires_at)
                        VALUES (:stateHash, :issuer, :subject, :organization, :provider, :verifier, :returnTo, :expiresAt)""")
                .bind("stateHash", pending.stateHash())
                .bind("issuer", pending.owner().issuer())
                .bind("subject", pending.owner().subject())
                .bind("organization", pending.owner().organization())
                .bind("provider", pending.provider())
                .bind("verifier", pending.verifierSealed())
                .bind("returnTo", pending.returnTo().map(URI::toString).orElse(null))
                .bind("expiresAt", pending.expiresAt().toEpochMilli())
                .execute();
    }

    /**
     * Removes and returns the pending connection of {@code stateHash}: of concurrent callers with the
     * same state exactly one gets it, so a state is used once, expired or not.
     */
    static Optional<PendingConnection> takeState(Handle handle, String stateHash) {
        Optional<PendingConnection> pending = handle.createQuery("SELECT * FROM byos_states WHERE state_hash = :state")
                .bind("state", stateHash)
                .map((rs, ctx) -> pending(rs))
                .findOne();
        if (pending.isEmpty()) {
            return Optional.empty();
        }
        int taken = handle.createUpdate("DELETE FROM byos_states WHERE state_hash = :state").bind("state", stateHash).execute();
        return taken == 1 ? pending : Optional.empty();
    }

    /** Connections {@code owner} started and did not finish (nor let expire), all providers together. */
    static int countStates(Handle handle, ByosOwner owner) {
        return handle.createQuery("""
                        SELECT COUNT(*) FROM byos_states
                        WHERE owner_issuer = :issuer AND owner_subject = :subject AND organization = :organization""")
                .bind("issuer", owner.issuer())
                .bind("subject", owner.subject())
                .bind("organization", owner.organization())
                .mapTo(Integer.class)
                .one();
    }

    static int purgeStatesExpiredBefore(Handle handle, Instant cutoff) {
        return handle.createUpdate("DELETE FROM byos_states WHERE expires_at < :cutoff")
                .bind("cutoff", cutoff.toEpochMilli())
                .execute();
    }

    /** Stores {@code connection} if its owner has none of its provider; false when one exists. */
    static boolean insertIfAbsent(Handle handle, Connection connection) {
        return bindConnection(handle.createUpdate("""
                        INSERT INTO byos_connections (owner_issuer, owner_subject, organization, provider, kind, status,
                                                      scopes, credential_sealed, refresh_sealed, expires_at, version,
                                                      connected_at, last_refresh_at, last_error)
                        VALUES (:issuer, :subject, :organization, :provider, :kind, :status, :scopes, :credential,
                                :refresh, :expiresAt, :version, :connectedAt, :lastRefreshAt, :lastError)
                        ON CONFLICT (owner_issuer, owner_subject, organization, provider) DO NOTHING"""), connection)
                .execute() == 1;
    }

    /** Replaces the connection of {@code connection}'s owner and provider if it is still at {@code version}. */
    static boolean replaceVersion(Handle handle, Connection connection, long version) {
        return bindConnection(handle.createUpdate("""
                        UPDATE byos_connections
                        SET kind = :kind, status = :status, scopes = :scopes, credential_sealed = :credential,
                            refresh_sealed = :refresh, expires_at = :expiresAt, version = :version,
                            connected_at = :connectedAt, last_refresh_at = :lastRefreshAt, last_error = :lastError,
                            refresh_claimed_until = NULL
                        WHERE\s""" + OWNER + " AND version = :previousVersion"), connection)
                .bind("previousVersion", version)
                .execute() == 1;
    }

    private static Update bindConnection(Update update, Connection connection) {
        return bindOwner(update, connection.owner(), connection.provider())
                .bind("kind", connection.kind().value())
                .bind("status", connection.status().value())
                .bind("scopes", connection.scopes().isEmpty() ? null : String.join(" ", connection.scopes()))
                .bind("credential", connection.credentialSealed())
                .bind("refresh", connection.refreshSealed().orElse(null))
                .bind("expiresAt", connection.expiresAt().map(Instant::toEpochMilli).orElse(null))
                .bind("version", connection.version())
                .bind("connectedAt", connection.connectedAt().toEpochMilli())
                .bind("lastRefreshAt", connection.lastRefreshAt().map(Instant::toEpochMilli).orElse(null))
                .bind("lastError", connection.lastError().orElse(null));
    }

    static Optional<Connection> find(Handle handle, ByosOwner owner, String provider) {
        return bindOwner(handle.createQuery("SELECT * FROM byos_connections WHERE " + OWNER), owner, provider)
                .map((rs, ctx) -> connection(rs))
                .findOne();
    }

    /** Deletes the connection of {@code owner} and {@code provider} if it is still at {@code version}. */
    static boolean deleteVersion(Handle handle, ByosOwner owner, String provider, long version) {
        return bindOwner(handle.createUpdate("DELETE FROM byos_connections WHERE " + OWNER + " AND version = :version"),
                owner, provider)
                .bind("version", version)
                .execute() == 1;
    }

    /**
     * Connected OAuth subscriptions whose access token expires by {@code before} and that no
     * replica is refreshing.
     */
    static List<Connection> dueForRefresh(Handle handle, Instant before, Instant now) {
        return handle.createQuery("""
                        SELECT * FROM byos_connections
                        WHERE kind = 'oauth' AND status = 'connected' AND expires_at <= :before
                          AND (refresh_claimed_until IS NULL OR refresh_claimed_until < :now)
                        ORDER BY expires_at""")
                .bind("before", before.toEpochMilli())
                .bind("now", now.toEpochMilli())
                .map((rs, ctx) -> connection(rs))
                .list();
    }

    /** Claims the refresh of {@code connection} (still at its version) until {@code until}; false when another replica has it. */
    static boolean claimRefresh(Handle handle, Connection connection, Instant now, Instant until) {
        return bindOwner(handle.createUpdate("UPDATE byos_connections SET refresh_claimed_until = :until WHERE " + OWNER
                        + " AND version = :version AND status = 'connected'"
                        + " AND (refresh_claimed_until IS NULL OR refresh_claimed_until < :now)"),
                connection.owner(), connection.provider())
                .bind("until", until.toEpochMilli())
                .bind("version", connection.version())
                .bind("now", now.toEpochMilli())
                .execute() == 1;
    }

    /**
     * Records a refreshed credential (one version more) and releases the claim, if the connection
     * is still the claimed one; false when it was disconnected or replaced meanwhile.
     */
    static boolean saveRefreshed(Handle handle, Connection claimed, Instant claim, String credentialSealed,
            Optional<String> refreshSealed, Optional<Instant> expiresAt, List<String> scopes, Instant now) {
        return bindOwner(handle.createUpdate("""
                        UPDATE byos_connections
                        SET credential_sealed = :credential, refresh_sealed = :refresh, expires_at = :expiresAt,
                            scopes = :scopes, version = version + 1, last_refresh_at = :now, last_error = NULL,
                            refresh_claimed_until = NULL
                        WHERE\s""" + OWNER + " AND version = :version AND refresh_claimed_until = :claim"),
                claimed.owner(), claimed.provider())
                .bind("credential", credentialSealed)
                .bind("refresh", refreshSealed.orElse(null))
                .bind("expiresAt", expiresAt.map(Instant::toEpochMilli).orElse(null))
                .bind("scopes", scopes.isEmpty() ? null : String.join(" ", scopes))
                .bind("now", now.toEpochMilli())
                .bind("version", claimed.version())
                .bind("claim", claim.toEpochMilli())
                .execute() == 1;
    }

    /** Marks the claimed connection broken with {@code error}; false when it changed meanwhile. */
    static boolean markBroken(Handle handle, Connection claimed, Instant claim, String error) {
        return bindOwner(handle.createUpdate("""
                        UPDATE byos_connections
                        SET status = 'broken', last_error = :error, refresh_claimed_until = NULL
                        WHERE\s""" + OWNER + " AND version = :version AND refresh_claimed_until = :claim"),
                claimed.owner(), claimed.provider())
                .bind("error", error)
                .bind("version", claimed.version())
                .bind("claim", claim.toEpochMilli())
                .execute() == 1;
    }

    /** Releases the claim and records why the refresh did not happen (it is tried again). */
    static void releaseRefresh(Handle handle, Connection claimed, Instant claim, String error) {
        bindOwner(handle.createUpdate("""
                        UPDATE byos_connections SET last_error = :error, refresh_claimed_until = NULL
                        WHERE\s""" + OWNER + " AND refresh_claimed_until = :claim"),
                claimed.owner(), claimed.provider())
                .bind("error", error)
                .bind("claim", claim.toEpochMilli())
                .execute();
    }

    private static <T extends SqlStatement<T>> T bindOwner(T statement, ByosOwner owner,
            String provider) {
        return statement
                .bind("issuer", owner.issuer())
                .bind("subject", owner.subject())
                .bind("organization", owner.organization())
                .bind("provider", provider);
    }

    private static PendingConnection pending(ResultSet rs) throws SQLException {
        return new PendingConnection(rs.getString("state_hash"), owner(rs), rs.getString("provider"),
                rs.getString("verifier_sealed"), Optional.ofNullable(rs.getString("return_to")).map(URI::create),
                Instant.ofEpochMilli(rs.getLong("expires_at")));
    }

    private static Connection connection(ResultSet rs) throws SQLException {
        String scopes = rs.getString("scopes");
        return new Connection(owner(rs), rs.getString("provider"), Connection.Kind.fromValue(rs.getString("kind")),
                Connection.Status.fromValue(rs.getString("status")),
                scopes == null ? List.of() : Arrays.asList(scopes.split(" ")),
                rs.getString("credential_sealed"), Optional.ofNullable(rs.getString("refresh_sealed")),
                instant(rs, "expires_at"), rs.getLong("version"), Instant.ofEpochMilli(rs.getLong("connected_at")),
                instant(rs, "last_refresh_at"), Optional.ofNullable(rs.getString("last_error")));
    }

    private static ByosOwner owner(ResultSet rs) throws SQLException {
        return new ByosOwner(rs.getString("owner_subject"), rs.getString("owner_issuer"), rs.getString("organization"));
    }

    private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
    }
}
