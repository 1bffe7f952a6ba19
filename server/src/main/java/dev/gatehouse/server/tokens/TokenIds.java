package dev.gatehouse.server.tokens;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.Claims;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The id a verified token is known by in limits, usage records and introspection: its {@code jti};
 * for a legacy sandbox token, which has none, {@value #LEGACY_PREFIX} and the first {@value
 * #LEGACY_HASH_CHARS} characters of the base64url SHA-256 of the token (132 bits: no two tokens
 * share one, and it reveals nothing of the token). Stable: the same token always gets the same id,
 * on every replica. Stateless.
 */
public final class TokenIds {
    public static final String LEGACY_PREFIX = "legacy-";
    static final int LEGACY_HASH_CHARS = 22;

    private TokenIds() {}

    /** @param token the compact token {@code claims} were verified from */
    public static String of(Claims claims, String token) {
        requireNonNull(token, "token");
        return requireNonNull(claims, "claims").tokenId().orElseGet(() -> LEGACY_PREFIX + Base64.getUrlEncoder()
                .withoutPadding().encodeToString(sha256(token)).substring(0, LEGACY_HASH_CHARS));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
