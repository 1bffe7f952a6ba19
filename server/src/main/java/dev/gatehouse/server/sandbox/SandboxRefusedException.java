package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

/**
 * A sandbox request refused for a reason the caller can act on: an HTTP status, a stable code and a
 * message safe to show (never a credential).
 */
public final class SandboxRefusedException extends RuntimeException {
    private final int status;
    private final String code;

    public SandboxRefusedException(int status, String code, String message) {
        super(requireNonNull(message, "message"), null, false, false);
        this.status = status;
        this.code = requireNonNull(code, "code");
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
