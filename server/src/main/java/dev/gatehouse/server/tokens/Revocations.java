package dev.gatehouse.server.tokens;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

/**
 * The store's side of the revocation list that {@link RevokedTokens} holds in memory: the numbered
 * log of revocations every replica polls ({@code revocation_counter}, {@code revocations}), and the
 * full load from the token tables ({@code personal_access_tokens}, {@code sandbox_tokens}). Each
 * method runs in the caller's handle or transaction. Stateless.
 */
public final class Revocations {
    private Revocations() {}

    /**
     * Appends a revocation of any other kind of token (e.g. a sandbox token) under the next
     * database-assigned number, so every replica's poll sees it. Run in the revoking transaction.
     */
    public static void recordRevocation(Handle handle, String tokenId, long expiresAtMillis) {
        handle.execute("UPDATE revocation_counter SET value = value + 1 WHERE id = 1");
        handle.createUpdate("""
                        INSERT INTO revocations (seq, token_id, expires_at)
                        SELECT value, :tokenId, :expiresAt FROM revocation_counter WHERE id = 1""")
                .bind("tokenId", tokenId)
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

    /** The number of the latest revocation, 0 before the first. */
    public static long lastRevocation(Handle handle) {
        return handle.createQuery("SELECT value FROM revocation_counter WHERE id = 1").mapTo(Long.class).one();
    }

    /** A revocation as numbered by the store. */
    public record Revocation(long seq, String tokenId, long expiresAt) {}

    /** The revocations numbered after {@code after}, in order. */
    public static List<Revocation> revocationsAfter(Handle handle, long after) {
        return handle.createQuery("""
                        SELECT seq, token_id, expires_at FROM revocations WHERE seq > :after ORDER BY seq""")
                .bind("after", after)
                .map((rs, ctx) -> new Revocation(rs.getLong("seq"), rs.getString("token_id"), rs.getLong("expires_at")))
                .list();
    }

    /** Deletes the revocations of tokens that expired before {@code expiredBefore}; the counter is left alone. */
    public static void pruneRevocations(Handle handle, long expiredBefore) {
        handle.createUpdate("DELETE FROM revocations WHERE expires_at < :expiredBefore")
                .bind("expiredBefore", expiredBefore)
                .execute();
    }
}
