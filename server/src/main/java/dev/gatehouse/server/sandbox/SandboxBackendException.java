package dev.gatehouse.server.sandbox;

/**
 * A backend could not do what it was asked. The message is a reason a person can act on and safe to
 * show the sandbox's owner: it never holds a credential, and backend details (API responses, file
 * paths) go to the log instead.
 */
public final class SandboxBackendException extends RuntimeException {
    public SandboxBackendException(String message) {
        super(message);
    }

    public SandboxBackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
