package dev.gatehouse.server.gateway.relay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gatehouse.server.gateway.GatewayException;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/**
 * What the relay reads from a request body before forwarding it: {@code model}, {@code stream} and
 * the requested output size (for the limiter's estimate). The body was read whole by then, capped
 * at {@code gateway.maxRequestBytes}; it is parsed once here, strictly, before anything is reserved,
 * and forwarded byte for byte (or as the streaming rewrite makes it). Everything the later stages
 * rely on is checked here, so none of them can fail on the body after admission. Immutable.
 */
record ChatRequest(Buffer body, String model, boolean stream, long maxOutputTokens) {
    /** Nesting deeper than this is refused: real requests (tool schemas included) stay far below it. */
    static final int MAX_DEPTH = 128;

    /**
     * Refuses duplicate keys (an upstream reading the first {@code model} could serve one that was
     * never authorized), trailing content and deep nesting (re-encoding it would overflow the stack).
     */
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * @throws GatewayException 400 {@code invalid_json} (malformed, not an object, duplicate keys, too
     *     deep), {@code missing_model}, {@code invalid_type} ({@code stream}), {@code invalid_value}
     *     ({@code max_tokens}, {@code max_completion_tokens}), {@code invalid_stream_options}
     */
    static ChatRequest parse(Buffer body) {
        if (body == null || body.length() == 0) {
            throw GatewayException.invalidRequest("invalid_json", "The request body is empty (expected: a JSON object).", null);
        }
        JsonNode json = read(body);
        if (!json.isObject()) {
            throw GatewayException.invalidRequest("invalid_json", "The request body must be a JSON object.", null);
        }
        JsonNode model = json.get("model");
        if (model == null || !model.isTextual() || model.textValue().isBlank()) {
            throw GatewayException.invalidRequest("missing_model", "model is required (a model name).", "model");
        }
        JsonNode stream = json.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw GatewayException.invalidRequest("invalid_type", "stream must be a boolean.", "stream");
        }
        boolean streaming = stream != null && stream.booleanValue();
        JsonNode options = json.get("stream_options");
        if (streaming && options != null && !options.isNull() && !options.isObject()) {
            throw GatewayException.invalidRequest("invalid_stream_options", "stream_options must be an object.",
                    "stream_options");
        }
        long maxTokens = Math.max(outputTokens(json, "max_tokens"), outputTokens(json, "max_completion_tokens"));
        return new ChatRequest(body, model.textValue(), streaming, maxTokens);
    }

    private static JsonNode read(Buffer body) {
        try {
            return JSON.readTree(body.getBytes());
        } catch (StreamConstraintsException e) {
            throw GatewayException.invalidRequest("invalid_json", "The request body is nested more than " + MAX_DEPTH
                    + " levels deep.", null);
        } catch (JsonParseException e) {
            String duplicate = e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")
                    ? " (a duplicate key: every key must appear once per object)" : "";
            throw GatewayException.invalidRequest("invalid_json", "The request body is not valid JSON" + duplicate + ".",
                    null);
        } catch (JsonProcessingException e) {
            throw GatewayException.invalidRequest("invalid_json", "The request body is not valid JSON.", null);
        } catch (IOException e) {
            throw new IllegalStateException("reading a buffer in memory failed", e);
        }
    }

    /** A requested output size: absent or null is 0; anything but a whole number that fits an int is refused. */
    private static long outputTokens(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return 0;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0) {
            throw GatewayException.invalidRequest("invalid_value", field + " must be a whole number from 0 to "
                    + Integer.MAX_VALUE + ".", field);
        }
        return value.intValue();
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
