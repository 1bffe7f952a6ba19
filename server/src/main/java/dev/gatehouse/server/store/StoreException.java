package dev.gatehouse.server.store;

/**
 * The store cannot be opened or migrated. The message names the database (without URL
 * parameters, which may carry credentials) and the cause; it never contains a password.
 */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
