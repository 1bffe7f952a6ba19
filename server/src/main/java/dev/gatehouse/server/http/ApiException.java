package dev.gatehouse.server.http;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;

/**
 * A client-facing failure: an HTTP status, a stable machine code and a message that is safe to
 * show (it must never contain a credential). Thrown or passed to {@code ctx.fail(...)} by
 * handlers; {@link ProblemResponses} turns it into {@code application/problem+json}.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final long retryAfterSeconds;

    public ApiException(int status, String code, String message) {
        this(status, code, message, -1);
    }

    /** @param retryAfterSeconds sent as {@code Retry-After}; -1 for none */
    public ApiException(int status, String code, String message, long retryAfterSeconds) {
        super(requireNonNull(message, "message"), null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status: " + status + " (expected: 400..599)");
        }
        this.status = status;
        this.code = requireNonNull(code, "code");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** When the client may retry, in seconds; empty when it should not without a change. */
    public OptionalLong retryAfterSeconds() {
        return retryAfterSeconds < 0 ? OptionalLong.empty() : OptionalLong.of(retryAfterSeconds);
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }
}
