package dev.gatehouse.server.tokens;

import java.time.Instant;
import java.util.Optional;

/** One row of {@code signing_keys}; the private key is sealed (base64) with the key-encryption key. */
record StoredKey(
        String kid,
        String algorithm,
        String publicJwk,
        String privateKeySealed,
        Instant createdAt,
        Optional<Instant> retiredAt,
        Optional<Instant> verifiesUntil,
        Optional<Instant> revokedAt) {

    /** Whether this is the newest key, the one row in state {@code active}; it may still be pending. */
    boolean isActive() {
        return retiredAt.isEmpty();
    }

    /** Whether the key was withdrawn: it neither signs nor verifies nor is published. */
    boolean isRevoked() {
        return revokedAt.isPresent();
    }

    KeyInfo info(KeyState state, Instant signsFrom) {
        return new KeyInfo(kid, algorithm, state, createdAt, signsFrom, retiredAt, verifiesUntil, revokedAt);
    }
}
