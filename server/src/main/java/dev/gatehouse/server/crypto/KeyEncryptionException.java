package dev.gatehouse.server.crypto;

/**
 * A key-encryption key cannot be used: sealed data does not authenticate (tampered, bound to other
 * associated data, or sealed under another key), has an unknown format, or a key file is unsafe or
 * malformed. Messages never contain plaintext or key material.
 */
public final class KeyEncryptionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KeyEncryptionException(String message) {
        super(message);
    }
}
