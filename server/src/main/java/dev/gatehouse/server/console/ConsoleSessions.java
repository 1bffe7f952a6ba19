package dev.gatehouse.server.console;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.server.console.ConsoleSession.SignInMethod;
import dev.gatehouse.server.crypto.SecretVault;
import dev.gatehouse.server.store.Database;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Console sessions, in the store every replica shares: a session opened on one replica is known to
 * all, and signing out ends it everywhere at once. Only hashes of session ids are stored. Every
 * method blocks on the store: call it off the event loop.
 */
final class ConsoleSessions {
    /** A session's last use is written at most this often (reads stay reads). */
    private static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

    /** How often a Keycloak session is checked against Keycloak (its refresh token). */
    static final Duration CHECK_INTERVAL = Duration.ofMinutes(5);

    private final Database database;
    private final ConsoleConfig config;
    private final SecretVault vault;
    private final Clock clock;

    ConsoleSessions(Database database, ConsoleConfig config, SecretVault vault, Clock clock) {
        this.database = requireNonNull(database, "database");
        this.config = requireNonNull(config, "config");
        this.vault = requireNonNull(vault, "vault");
        this.clock = requireNonNull(clock, "clock");
    }

    /** An opened session: the id for the cookie (never stored) and the session. */
    record Opened(String id, ConsoleSession session) {}

    /** Opens a session for {@code principal}; the principal's own expiry is replaced by the session's. */
    Opened open(Claims principal, String displayName, SignInMethod method, Optional<String> idToken,
            Optional<String> refreshToken) {
        Instant now = clock.instant();
        Instant expiresAt = now.plus(config.sessionTtl());
        String id = RandomSecrets.next();
        String idHash = RandomSecrets.hash(id);
        String csrf = RandomSecrets.next();
        String json = Principals.toJson(principal, displayName);
        database.inDurableTransaction(handle -> {
            handle.createUpdate("DELETE FROM console_sessions WHERE expires_at <= :now OR last_seen_at <= :idle")
                    .bind("now", now.toEpochMilli())
                    .bind("idle", now.minus(config.idleTimeout()).toEpochMilli())
                    .execute();
            return handle.createUpdate("""
                            INSERT INTO console_sessions (id_hash, csrf_token, method, principal, id_token, refresh_sealed,
                                                          checked_at, created_at, last_seen_at, expires_at)
                            VALUES (:idHash, :csrf, :method, :principal, :idToken, :refresh, :now, :now, :now, :expiresAt)""")
                    .bind("idToken", idToken.orElse(null))
                    .bind("refresh", refreshToken.map(token -> seal(token, idHash)).orElse(null))
                    .bind("idHash", idHash)
                    .bind("csrf", csrf)
                    .bind("method", method.value())
                    .bind("principal", json)
                    .bind("now", now.toEpochMilli())
                    .bind("expiresAt", expiresAt.toEpochMilli())
                    .execute();
        });
        return new Opened(id, new ConsoleSession(Principals.fromJson(json, publicId(idHash), now, expiresAt),
                displayName, method, csrf, expiresAt, false));
    }

    /** The live session of {@code id}: neither past its lifetime nor idle too long, nor signed out. */
    Optional<ConsoleSession> find(String id) {
        String idHash = RandomSecrets.hash(id);
        Instant now = clock.instant();
        Optional<Row> row = database.jdbi().withHandle(handle -> handle.createQuery("""
                        SELECT csrf_token, method, principal, created_at, last_seen_at, expires_at, checked_at,
                               refresh_sealed IS NOT NULL AS checkable
                        FROM console_sessions WHERE id_hash = :idHash""")
                .bind("idHash", idHash)
                .map((rs, ctx) -> new Row(rs.getString("csrf_token"), rs.getString("method"), rs.getString("principal"),
                        Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("last_seen_at")),
                        Instant.ofEpochMilli(rs.getLong("expires_at")),
                        rs.getBoolean("checkable") ? Instant.ofEpochMilli(rs.getLong("checked_at")) : null))
                .findOne());
        if (row.isEmpty() || !now.isBefore(row.get().expiresAt())
                || !now.isBefore(row.get().lastSeenAt().plus(config.idleTimeout()))) {
            return Optional.empty();
        }
        Row found = row.get();
        if (!now.isBefore(found.lastSeenAt().plus(TOUCH_INTERVAL))) {
            database.jdbi().useHandle(handle -> handle.createUpdate(
                            "UPDATE console_sessions SET last_seen_at = :now WHERE id_hash = :idHash")
                    .bind("now", now.toEpochMilli())
                    .bind("idHash", idHash)
                    .execute());
        }
        return Optional.of(new ConsoleSession(
                Principals.fromJson(found.principal(), publicId(idHash), found.createdAt(), found.expiresAt()),
                Principals.displayName(found.principal()), SignInMethod.valueOf(found.method().toUpperCase(Locale.ROOT)),
                found.csrfToken(), found.expiresAt(),
                found.checkedAt() != null && !now.isBefore(found.checkedAt().plus(CHECK_INTERVAL))));
    }

    /** Ends the session of {@code id} on every replica; what it was, when there was one. */
    Optional<Ended> end(String id) {
        String idHash = RandomSecrets.hash(id);
        return database.inDurableTransaction(handle -> {
            Optional<Ended> ended = handle.createQuery(
                            "SELECT method, principal, id_token FROM console_sessions WHERE id_hash = :idHash")
                    .bind("idHash", idHash)
                    .map((rs, ctx) -> new Ended(SignInMethod.valueOf(rs.getString("method").toUpperCase(Locale.ROOT)),
                            Principals.issuer(rs.getString("principal")), Optional.ofNullable(rs.getString("id_token"))))
                    .findOne();
            int deleted = handle.createUpdate("DELETE FROM console_sessions WHERE id_hash = :idHash")
                    .bind("idHash", idHash)
                    .execute();
            return ended.filter(e -> deleted == 1);
        });
    }

    /**
     * Claims the check of session {@code id} when one is due: exactly one caller gets the Keycloak
     * issuer and refresh token (a refresh token may be good for one use only); the others go on with
     * the session as it is.
     */
    Optional<DueCheck> claimCheck(String id) {
        String idHash = RandomSecrets.hash(id);
        Instant now = clock.instant();
        return database.inDurableTransaction(handle -> {
            int claimed = handle.createUpdate("""
                            UPDATE console_sessions SET checked_at = :now
                            WHERE id_hash = :idHash AND refresh_sealed IS NOT NULL AND checked_at <= :due""")
                    .bind("now", now.toEpochMilli())
                    .bind("idHash", idHash)
                    .bind("due", now.minus(CHECK_INTERVAL).toEpochMilli())
                    .execute();
            if (claimed != 1) {
                return Optional.<DueCheck>empty();
            }
            return handle.createQuery("SELECT principal, refresh_sealed FROM console_sessions WHERE id_hash = :idHash")
                    .bind("idHash", idHash)
                    .map((rs, ctx) -> new DueCheck(URI.create(Principals.issuer(rs.getString("principal"))),
                            new String(vault.open(rs.getString("refresh_sealed"), context(idHash)), StandardCharsets.UTF_8)))
                    .findOne();
        });
    }

    /** A due check: the realm to ask and the refresh token to ask with. */
    record DueCheck(URI issuer, String refreshToken) {}

    /** Keycloak still vouches for the session's person: their principal now, and the next refresh token. */
    void checked(String id, Claims principal, String displayName, String refreshToken) {
        String idHash = RandomSecrets.hash(id);
        database.inDurableTransaction(handle -> handle.createUpdate("""
                        UPDATE console_sessions SET principal = :principal, refresh_sealed = :refresh
                        WHERE id_hash = :idHash""")
                .bind("principal", Principals.toJson(principal, displayName))
                .bind("refresh", seal(refreshToken, idHash))
                .bind("idHash", idHash)
                .execute());
    }

    private String seal(String refreshToken, String idHash) {
        return vault.seal(refreshToken.getBytes(StandardCharsets.UTF_8), context(idHash));
    }

    /** Binds a sealed refresh token to its session: copied into another row, it does not open. */
    private static String context(String idHash) {
        return "console-session:" + idHash;
    }

    /** A session signed out: how it was opened, by whose issuer, with which Keycloak ID token. */
    record Ended(SignInMethod method, String issuer, Optional<String> idToken) {}

    /** @param checkedAt when it was last checked against Keycloak; null when it cannot be (no refresh token) */
    private record Row(String csrfToken, String method, String principal, Instant createdAt, Instant lastSeenAt,
            Instant expiresAt, Instant checkedAt) {}

    /** The session's id as its claims' {@code jti}: a prefix of the hash, which cannot be turned back into the id. */
    private static String publicId(String idHash) {
        return "console-" + idHash.substring(0, 22);
    }
}
