package dev.gatehouse.server.gateway.protocols.anthropic;

import dev.gatehouse.server.gateway.ErrorShape;
import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.protocols.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * Refusals in Anthropic's shape, {@code {"type":"error","error":{"type","message"}}}, the error type
 * chosen by status as Anthropic does (the gateway's stable code stays in the message's place only as
 * {@code code}, which Anthropic's SDKs ignore). Stateless.
 */
public final class AnthropicErrors {
    /** The shape of every refusal on {@code /v1/messages}. */
    public static final ErrorShape SHAPE = (error, requestId) -> {
        JsonObject body = new JsonObject().put("type", "error").put("error", new JsonObject()
                .put("type", type(error.status())).put("message", error.getMessage()).put("code", error.code()));
        if (requestId != null) {
            body.put("request_id", requestId);
        }
        return body;
    };

    private AnthropicErrors() {}

    /** Anthropic's error type for an HTTP status. */
    public static String type(int status) {
        return switch (status) {
            case 400, 413, 422 -> status == 413 ? "request_too_large" : "invalid_request_error";
            case 401 -> "authentication_error";
            case 402, 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            default -> status < 500 ? "invalid_request_error" : "api_error";
        };
    }

    /** An error event, which Anthropic's SDKs raise as an error of {@code type}. */
    public static Buffer event(String type, String message) {
        return SseEvent.append(Buffer.buffer(), body(type, message));
    }

    /** {@code {"type":"error","error":{type, message}}}. */
    static JsonObject body(String type, String message) {
        return new JsonObject().put("type", "error").put("error", new JsonObject().put("type", type).put("message", message));
    }

    /** A refusal of the request before anything was sent upstream. */
    static GatewayException invalid(String message, String param) {
        return GatewayException.invalidRequest("invalid_request", message, param);
    }
}
