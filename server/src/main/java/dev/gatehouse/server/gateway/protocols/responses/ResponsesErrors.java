package dev.gatehouse.server.gateway.protocols.responses;

import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.protocols.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** The Responses API's stream error event and the gateway's refusals of what it cannot translate. Stateless. */
public final class ResponsesErrors {
    private ResponsesErrors() {}

    /** An {@code error} event, which OpenAI's SDKs raise as an error. */
    public static Buffer event(String code, String message) {
        return SseEvent.append(Buffer.buffer(), new JsonObject().put("type", "error").put("code", code)
                .put("message", message).putNull("param").put("sequence_number", 0));
    }

    static GatewayException invalid(String message, String param) {
        return GatewayException.invalidRequest("invalid_request", message, param);
    }

    static GatewayException unsupported(String message, String param) {
        return GatewayException.invalidRequest("unsupported_in_translation", message, param);
    }
}
