package dev.gatehouse.server.byos;

import static java.util.Objects.requireNonNull;

/** A subscription request refused: an HTTP status, a stable code and a message safe to show. */
public final class ByosRefusedException extends RuntimeException {
    private final int status;
    private final String code;

    public ByosRefusedException(int status, String code, String message) {
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
