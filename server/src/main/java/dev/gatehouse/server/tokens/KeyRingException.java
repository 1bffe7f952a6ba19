package dev.gatehouse.server.tokens;

/**
 * The key ring cannot load, create or rotate its signing keys, e.g. {@code cannot decrypt signing
 * key <kid>: wrong key-encryption key?}. Messages never contain key material.
 */
public final class KeyRingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KeyRingException(String message) {
        super(message);
    }

    KeyRingException(String message, Throwable cause) {
        super(message, cause);
    }
}
