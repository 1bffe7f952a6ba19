package dev.gatehouse.sdk.verify;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.Claims;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the tokens another verifier accepted, so a token presented again (a sandbox calling the
 * gateway on every request) costs a hash and a map lookup instead of a signature verification.
 *
 * <p>Only accepted tokens are remembered, keyed by the SHA-256 of the exact token text, and only
 * until their {@code exp} (no leeway: stricter than the first verification). The revocation check
 * runs again on every hit, so a revocation takes effect as fast as without the cache. At most
 * {@code maxEntries} tokens are held; when full, expired entries are dropped and, if that frees
 * nothing, the whole cache is cleared (the next requests pay one verification each). Thread-safe.
 */
public final class CachingTokenVerifier implements TokenVerifier {
    private final TokenVerifier delegate;
    private final RevocationCheck revocationCheck;
    private final Clock clock;
    private final int maxEntries;
    private final ConcurrentHashMap<String, Claims> accepted = new ConcurrentHashMap<>();

    private CachingTokenVerifier(TokenVerifier delegate, RevocationCheck revocationCheck, Clock clock, int maxEntries) {
        this.delegate = delegate;
        this.revocationCheck = revocationCheck;
        this.clock = clock;
        this.maxEntries = maxEntries;
    }

    /**
     * @param delegate the verifier whose acceptances are remembered; it must itself apply {@code
     *     revocationCheck}
     * @param revocationCheck re-applied on every cache hit
     * @param maxEntries at least 1
     */
    public static CachingTokenVerifier of(TokenVerifier delegate, RevocationCheck revocationCheck, Clock clock,
            int maxEntries) {
        requireNonNull(delegate, "delegate");
        requireNonNull(revocationCheck, "revocationCheck");
        requireNonNull(clock, "clock");
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= 1)");
        }
        return new CachingTokenVerifier(delegate, revocationCheck, clock, maxEntries);
    }

    @Override
    public Claims verify(String token) throws TokenRejectedException {
        requireNonNull(token, "token");
        String key = digest(token);
        Instant now = clock.instant();
        Optional<Claims> known = remembered(key, now);
        if (known.isPresent()) {
            return known.get();
        }
        Claims claims = delegate.verify(token);
        if (now.isBefore(claims.expiresAt())) {
            makeRoom(now);
            accepted.put(key, claims);
        }
        return claims;
    }

    /** A remembered token costs a hash and a map lookup: never blocks. */
    @Override
    public Optional<Claims> verifyRemembered(String token) throws TokenRejectedException {
        requireNonNull(token, "token");
        return remembered(digest(token), clock.instant());
    }

    private Optional<Claims> remembered(String key, Instant now) throws TokenRejectedException {
        Claims known = accepted.get(key);
        if (known == null) {
            return Optional.empty();
        }
        if (!now.isBefore(known.expiresAt())) {
            accepted.remove(key, known);
            return Optional.empty();
        }
        if (revocationCheck.isRevoked(known)) {
            accepted.remove(key, known);
            throw GatehouseTokenVerifier.revoked(known);
        }
        return Optional.of(known);
    }

    /** How many accepted tokens are remembered now. */
    public int size() {
        return accepted.size();
    }

    private void makeRoom(Instant now) {
        if (accepted.size() < maxEntries) {
            return;
        }
        accepted.values().removeIf(claims -> !now.isBefore(claims.expiresAt()));
        if (accepted.size() >= maxEntries) {
            accepted.clear();
        }
    }

    private static String digest(String token) {
        return HexFormat.of().formatHex(SHA_256.get().digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    /** One per thread: looking the algorithm up costs as much as hashing a token (measured on the gateway). */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    });
}
