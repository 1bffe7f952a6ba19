package dev.gatehouse.server.gateway.relay;

import dev.gatehouse.server.gateway.GatewayException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * What the relay reads from a request body before forwarding it: {@code model}, {@code stream} and
 * the requested output size (for the limiter's estimate). The body was read whole by then, capped
 * at {@code gateway.maxRequestBytes}; it is parsed once here and forwarded byte for byte (or as the
 * streaming rewrite makes it). Immutable.
 */
record ChatRequest(Buffer body, String model, boolean stream, long maxOutputTokens) {

    /** @throws GatewayException 400 for malformed JSON, a non-object, or a missing/empty/non-string model */
    static ChatRequest parse(Buffer body) {
        if (body == null || body.length() == 0) {
            throw GatewayException.invalidRequest("invalid_json", "The request body is empty (expected: a JSON object).", null);
        }
        JsonObject json;
        try {
            Object value = io.vertx.core.json.Json.decodeValue(body);
            if (!(value instanceof JsonObject object)) {
                throw GatewayException.invalidRequest("invalid_json", "The request body must be a JSON object.", null);
            }
            json = object;
        } catch (DecodeException e) {
            throw GatewayException.invalidRequest("invalid_json", "The request body is not valid JSON.", null);
        }
        Object model = json.getValue("model");
        if (!(model instanceof String name) || name.isBlank()) {
            throw GatewayException.invalidRequest("missing_model", "model is required (a model name).", "model");
        }
        Object stream = json.getValue("stream");
        if (stream != null && !(stream instanceof Boolean)) {
            throw GatewayException.invalidRequest("invalid_type", "stream must be a boolean.", "stream");
        }
        long maxTokens = 0;
        for (String field : new String[] {"max_tokens", "max_completion_tokens"}) {
            if (json.getValue(field) instanceof Number number) {
                maxTokens = Math.max(maxTokens, Math.max(0, number.longValue()));
            }
        }
        return new ChatRequest(body, name, Boolean.TRUE.equals(stream), maxTokens);
    }

    /** A rough token estimate for the limiter: the prompt at ~4 bytes a token, plus the requested output. */
    long estimatedTokens() {
        return estimatedPromptTokens() + maxOutputTokens;
    }

    /** The prompt at ~4 bytes a token; billed for a stream that ends without reporting its usage. */
    long estimatedPromptTokens() {
        return body.length() / 4;
    }
}
