package dev.gatehouse.server.tokens;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.secrets.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Signing keys.
 *
 * @param algorithm algorithm of newly generated keys
 * @param keyEncryptionKey 32-byte AES-256 key that encrypts private keys at rest; when absent (dev
 *     only) a key is generated once and kept in {@code generatedKekFile}
 * @param generatedKekFile where the dev-only generated key-encryption key lives
 * @param hs256Secret optional shared secret (>= 32 bytes) for HS256 interop tokens
 * @param refreshInterval how often a replica reloads keys from the store (to see rotations); also
 *     how long a rotated-in key is published before it signs (see {@link KeyRing})
 */
public record KeysConfig(
        SigningAlgorithm algorithm,
        Optional<Secret> keyEncryptionKey,
        Path generatedKekFile,
        Optional<Secret> hs256Secret,
        Duration refreshInterval) {

    public static final int KEK_BYTES = 32;
    public static final int MIN_HS256_SECRET_BYTES = 32;

    public KeysConfig {
        requireNonNull(algorithm, "algorithm");
        requireNonNull(keyEncryptionKey, "keyEncryptionKey");
        requireNonNull(generatedKekFile, "generatedKekFile");
        requireNonNull(hs256Secret, "hs256Secret");
        requireNonNull(refreshInterval, "refreshInterval");
        keyEncryptionKey.ifPresent(kek -> {
            if (kek.length() != KEK_BYTES) {
                throw new IllegalArgumentException(
                        "keys.kek: " + kek.length() + " bytes (expected: " + KEK_BYTES + " bytes)");
            }
        });
        hs256Secret.ifPresent(secret -> {
            if (secret.length() < MIN_HS256_SECRET_BYTES) {
                throw new IllegalArgumentException("keys.hs256Secret: " + secret.length()
                        + " bytes (expected: >= " + MIN_HS256_SECRET_BYTES + " bytes)");
            }
        });
        if (refreshInterval.isNegative() || refreshInterval.isZero()) {
            throw new IllegalArgumentException("keys.refreshInterval: " + refreshInterval + " (expected: > 0)");
        }
    }
}
