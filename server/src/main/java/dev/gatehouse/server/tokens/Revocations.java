package dev.gatehouse.server.tokens;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

/**
 * The store's side of the revocation list that {@link RevokedTokens} holds in memory: the numbered
 * log of revocations every replica polls ({@code revocation_counter}, {@code revocations}), and the
 * full load from the token tables ({@code personal_access_tokens}, {@code sandbox_tokens}) and, for
 * revocations wider than one token, from the log. Each method runs in the caller's handle or
 * transaction. Stateless.
 */
public final class Revocations {
    private Revocations() {}

    /** What one revocation withdraws; the {@code kind} column. */
    public enum Kind {
        /** One token, by its {@code jti}. */
        TOKEN,
        /** Every token a signing key signed, by the key's {@code kid}. */
        KEY,
        /** A sandbox's tokens without {@code jti} (legacy) issued at or before an instant, by the sandbox id. */
        SANDBOX;

        String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A revocation as numbered by the store.
     *
     * @param subject what is revoked: a jti, a kid or a sandbox id, by {@code kind}
     * @param issuedBefore for {@link Kind#SANDBOX}, the epoch millis at or before which its legacy
     *     tokens were issued; 0 otherwise
     * @param expiresAt when the last token it covers expires, epoch millis
     */
    public record Revocation(long seq, Kind kind, String subject, long issuedBefore, long expiresAt) {}

    /**
     * Appends a revocation of any other kind of token (e.g. a sandbox token) under the next
     * database-assigned number, so every replica's poll sees it. Run in the revoking transaction.
     */
    public static void recordRevocation(Handle handle, String tokenId, long expiresAtMillis) {
        record(handle, Kind.TOKEN, tokenId, null, expiresAtMillis);
    }

    /** Appends the withdrawal of signing key {@code kid}; {@code expiresAt}: when the last token it signed expires. */
    static void recordKeyRevocation(Handle handle, String kid, long expiresAtMillis) {
        record(handle, Kind.KEY, kid, null, expiresAtMillis);
    }

    /**
     * Appends the revocation of {@code sandbox}'s legacy tokens issued at or before {@code
     * issuedBeforeMillis}; {@code expiresAt}: when the last of them expires.
     */
    static void recordSandboxRevocation(Handle handle, String sandbox, long issuedBeforeMillis, long expiresAtMillis) {
        record(handle, Kind.SANDBOX, sandbox, issuedBeforeMillis, expiresAtMillis);
    }

    private static void record(Handle handle, Kind kind, String subject, Long issuedBefore, long expiresAtMillis) {
        handle.execute("UPDATE revocation_counter SET value = value + 1 WHERE id = 1");
        handle.createUpdate("""
                        INSERT INTO revocations (seq, kind, token_id, issued_before, expires_at)
                        SELECT value, :kind, :subject, :issuedBefore, :expiresAt FROM revocation_counter WHERE id = 1""")
                .bind("kind", kind.value())
                .bind("subject", subject)
                .bind("issuedBefore", issuedBefore)
                .bind("expiresAt", expiresAtMillis)
                .execute();
    }

    /**
     * Every revoked token not yet expired at {@code expiringAfter}: the full load. Personal access
     * tokens and sandbox tokens (table {@code sandbox_tokens}, by {@code jti}).
     */
    public static Map<String, Long> revoked(Handle handle, long expiringAfter) {
        return handle.createQuery("""
                        SELECT id, expires_at FROM personal_access_tokens
                        WHERE revoked_at IS NOT NULL AND expires_at > :expiringAfter
                        UNION ALL
                        SELECT jti, expires_at FROM sandbox_tokens
                        WHERE revoked_at IS NOT NULL AND expires_at > :expiringAfter""")
                .bind("expiringAfter", expiringAfter)
                .map((rs, ctx) -> Map.entry(rs.getString("id"), rs.getLong("expires_at")))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, Math::max));
    }

    /**
     * Every revocation of a key or a sandbox covering tokens not yet expired at {@code
     * expiringAfter}: the full load of what no token table records. The log keeps them until a day
     * after they expire.
     */
    static List<Revocation> wideRevocations(Handle handle, long expiringAfter) {
        return handle.createQuery("""
                        SELECT seq, kind, token_id, issued_before, expires_at FROM revocations
                        WHERE kind <> 'token' AND expires_at > :expiringAfter ORDER BY seq""")
                .bind("expiringAfter", expiringAfter)
                .map((rs, ctx) -> revocation(rs))
                .list();
    }

    /** The number of the latest revocation, 0 before the first. */
    public static long lastRevocation(Handle handle) {
        return handle.createQuery("SELECT value FROM revocation_counter WHERE id = 1").mapTo(Long.class).one();
    }

    /** The revocations numbered after {@code after}, in order. */
    public static List<Revocation> revocationsAfter(Handle handle, long after) {
        return handle.createQuery("""
                        SELECT seq, kind, token_id, issued_before, expires_at FROM revocations
                        WHERE seq > :after ORDER BY seq""")
                .bind("after", after)
                .map((rs, ctx) -> revocation(rs))
                .list();
    }

    /** Deletes the revocations of tokens that expired before {@code expiredBefore}; the counter is left alone. */
    public static void pruneRevocations(Handle handle, long expiredBefore) {
        handle.createUpdate("DELETE FROM revocations WHERE expires_at < :expiredBefore")
                .bind("expiredBefore", expiredBefore)
                .execute();
    }

    private static Revocation revocation(ResultSet rs) throws SQLException {
        return new Revocation(rs.getLong("seq"), Kind.valueOf(rs.getString("kind").toUpperCase(Locale.ROOT)),
                rs.getString("token_id"), rs.getLong("issued_before"), rs.getLong("expires_at"));
    }
}
