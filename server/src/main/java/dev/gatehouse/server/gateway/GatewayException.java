package dev.gatehouse.server.gateway;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.http.RequestIds;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * A gateway refusal, by default in OpenAI's error shape ({@link ErrorShape}), {@code {"error": {"message", "type", "param",
 * "code"}}}: a status, an OpenAI error type ({@code invalid_request_error},
 * {@code authentication_error}, {@code permission_error}, {@code not_found_error},
 * {@code rate_limit_error}, {@code api_error}), a stable code and a message safe to show (never a
 * credential). Stackless.
 */
public final class GatewayException extends RuntimeException {
    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final long retryAfterSeconds;

    public GatewayException(int status, String type, String code, String message) {
        this(status, type, code, message, null, -1);
    }

    public GatewayException(int status, String type, String code, String message, String param, long retryAfterSeconds) {
        super(requireNonNull(message, "message"), null, false, false);
        this.status = status;
        this.type = requireNonNull(type, "type");
        this.code = requireNonNull(code, "code");
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static GatewayException invalidRequest(String code, String message, String param) {
        return new GatewayException(400, "invalid_request_error", code, message, param, -1);
    }

    public static GatewayException unauthorized(String code, String message) {
        return new GatewayException(401, "authentication_error", code, message);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    /** The request field at fault; may be {@code null}. */
    public String param() {
        return param;
    }

    /**
     * This error as the last event of an OpenAI stream, {@code data: {"error": {...}}}, which the
     * OpenAI SDKs raise as an error.
     */
    public Buffer sseEvent() {
        return Buffer.buffer("data: ").appendBuffer(ErrorShape.OPENAI.body(this, null).toBuffer()).appendString("\n\n");
    }

    /** Writes this error in OpenAI's shape unless the response has started (then the connection is reset). */
    public void send(RoutingContext ctx) {
        send(ctx, ErrorShape.OPENAI);
    }

    /** Writes this error in {@code shape} unless the response has started (then the connection is reset). */
    public void send(RoutingContext ctx, ErrorShape shape) {
        HttpServerResponse response = ctx.response();
        if (response.headWritten()) {
            response.reset();
            return;
        }
        if (status == 401) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"gatehouse-gateway\"");
        }
        if (retryAfterSeconds >= 0) {
            response.putHeader("Retry-After", Long.toString(retryAfterSeconds));
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(shape.body(this, RequestIds.get(ctx)).toBuffer());
    }
}
