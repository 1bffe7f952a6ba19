package dev.gatehouse.server.gateway;

import io.vertx.core.json.JsonObject;

/**
 * How a refusal's body reads in one client protocol. {@link #OPENAI} is the gateway's own shape;
 * protocol packages add theirs (Anthropic's). Implementations are stateless and thread-safe.
 */
@FunctionalInterface
public interface ErrorShape {
    /** OpenAI's {@code {"error": {message, type, param, code}}}, with the request id when known. */
    ErrorShape OPENAI = (error, requestId) -> {
        JsonObject body = new JsonObject()
                .put("message", error.getMessage())
                .put("type", error.type())
                .put("param", error.param())
                .put("code", error.code());
        if (requestId != null) {
            body.put("request_id", requestId);
        }
        return new JsonObject().put("error", body);
    };

    /** @param requestId may be {@code null} */
    JsonObject body(GatewayException error, String requestId);
}
