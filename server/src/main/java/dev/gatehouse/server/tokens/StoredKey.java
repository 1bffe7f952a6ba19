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
        Optional<Instant> verifiesUntil) {

    boolean isActive() {
        return retiredAt.isEmpty();
    }

    KeyInfo info(Instant now) {
        KeyState state = isActive()
                ? KeyState.ACTIVE
                : now.isBefore(verifiesUntil.orElseThrow()) ? KeyState.RETIRED : KeyState.EXPIRED;
        return new KeyInfo(kid, algorithm, state, createdAt, retiredAt, verifiesUntil);
    }
}
