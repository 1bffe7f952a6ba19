package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

/**
 * A request body the gateway cannot work with: not a JSON object, a malformed field, or too large.
 * The relay answers it with the status and code it carries, in OpenAI's error shape ({@code type:
 * invalid_request_error}). The message is safe to show: it never contains the body.
 */
public final class InvalidRequestBodyException extends RuntimeException {
    private final int status;
    private final String code;
    private final String param;

    InvalidRequestBodyException(int status, String code, String param, String message) {
        super(requireNonNull(message, "message"), null, false, false);
        this.status = status;
        this.code = requireNonNull(code, "code");
        this.param = param;
    }

    /** 400 for malformed bodies, 413 for bodies over the cap. */
    public int status() {
        return status;
    }

    /** Stable machine code: {@code invalid_json}, {@code invalid_stream_options} or {@code request_too_large}. */
    public String code() {
        return code;
    }

    /** The offending parameter (e.g. {@code stream_options}), or {@code null}. */
    public String param() {
        return param;
    }
}
