package dev.gatehouse.server.tokens;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** SQL access to {@code signing_keys}. Blocking; thread-safe. */
final class SigningKeyTable {
    private static final String INSERT_ACTIVE = """
            INSERT INTO signing_keys (kid, algorithm, public_jwk, private_key_sealed, state, created_at)
            VALUES (:kid, :algorithm, :publicJwk, :privateKeySealed, 'active', :createdAt)""";

    private final Jdbi jdbi;

    SigningKeyTable(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    private static final String COLUMNS =
            "kid, algorithm, public_jwk, private_key_sealed, created_at, retired_at, verify_until, revoked_at";

    /** Every key, newest first. */
    List<StoredKey> all() {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT " + COLUMNS + " FROM signing_keys ORDER BY created_at DESC, kid")
                .map((rows, context) -> key(rows))
                .list());
    }

    /** The key {@code kid}, read in the caller's transaction. */
    static Optional<StoredKey> find(Handle handle, String kid) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM signing_keys WHERE kid = :kid")
                .bind("kid", kid)
                .map((rows, context) -> key(rows))
                .findOne();
    }

    /**
     * Marks {@code kid} withdrawn at {@code at}, in the caller's transaction, if it is a retired key
     * not withdrawn yet (never the newest key: something must sign).
     *
     * @return whether it was marked
     */
    static boolean markRevoked(Handle handle, String kid, Instant at) {
        return handle.createUpdate("""
                        UPDATE signing_keys SET revoked_at = :at
                        WHERE kid = :kid AND state = 'retired' AND revoked_at IS NULL""")
                .bind("at", at.toEpochMilli())
                .bind("kid", kid)
                .execute() == 1;
    }

    /** Inserts an active key; fails on the unique index if another key is active. */
    void insertActive(StoredKey key) {
        jdbi.useHandle(handle -> insertActive(handle, key));
    }

    /** In one transaction: retires the active key (if any) and inserts {@code next} as active. */
    void rotate(StoredKey next, Instant retiredAt, Instant verifyUntil) {
        jdbi.useTransaction(handle -> {
            handle.createUpdate("""
                            UPDATE signing_keys SET state = 'retired', retired_at = :retiredAt, verify_until = :verifyUntil
                            WHERE state = 'active'""")
                    .bind("retiredAt", retiredAt.toEpochMilli())
                    .bind("verifyUntil", verifyUntil.toEpochMilli())
                    .execute();
            insertActive(handle, next);
        });
    }

    private static void insertActive(Handle handle, StoredKey key) {
        handle.createUpdate(INSERT_ACTIVE)
                .bind("kid", key.kid())
                .bind("algorithm", key.algorithm())
                .bind("publicJwk", key.publicJwk())
                .bind("privateKeySealed", key.privateKeySealed())
                .bind("createdAt", key.createdAt().toEpochMilli())
                .execute();
    }

    private static StoredKey key(ResultSet rows) throws SQLException {
        return new StoredKey(
                rows.getString("kid"),
                rows.getString("algorithm"),
                rows.getString("public_jwk"),
                rows.getString("private_key_sealed"),
                Instant.ofEpochMilli(rows.getLong("created_at")),
                instant(rows, "retired_at"),
                instant(rows, "verify_until"),
                instant(rows, "revoked_at"));
    }

    private static Optional<Instant> instant(ResultSet rows, String column) throws SQLException {
        long millis = rows.getLong(column);
        return rows.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    }
}
