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
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.ModelPrice;
import dev.gatehouse.server.gateway.Protocol;
import dev.gatehouse.server.gateway.channels.Channel;
import dev.gatehouse.server.gateway.limits.Demand;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The parse-and-rewrite stage: what the relay reads from a request body ({@code model}, {@code
 * stream}, the requested output size for the limiter's estimate) and the body to send to each
 * channel ({@link #bodyFor}). The body was read whole by then, capped at {@code
 * gateway.maxRequestBytes}; it is decoded once here, strictly, before anything is reserved.
 * Everything the later stages rely on is checked here, so none of them can fail on the body after
 * admission. Immutable: the parsed tree is never changed, only copies of it.
 *
 * @param endpoint what the client called
 * @param body the client's body, as it arrived
 * @param json the same body, parsed
 * @param bodyBytes the size of the client's body, for the prompt estimate (0 for {@code count_tokens})
 * @param model the public model name the client asked for
 * @param clientAskedForUsage whether a streaming client asked for {@code stream_options.include_usage}
 *     itself, and so will see the usage chunk (always {@code true} when not streaming)
 * @param maxOutputTokens the output limit the body states, the largest of {@code max_tokens},
 *     {@code max_completion_tokens} and {@code max_output_tokens}; 0 when it states none
 * @param chat the body translated to chat completions, for channels that do not speak the
 *     endpoint's protocol ({@link #forPlan}); {@code null} when no planned channel needs it
 */
record ChatRequest(Endpoint endpoint, Buffer body, ObjectNode json, int bodyBytes, String model, boolean stream,
        boolean clientAskedForUsage, long maxOutputTokens, ObjectNode chat) {
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
            // A re-encoded body keeps every number as the client wrote it (no double rounding).
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    /**
     * @throws GatewayException 400 {@code invalid_json} (malformed, not an object, duplicate keys, too
     *     deep), {@code missing_model}, {@code invalid_type} ({@code stream}), {@code invalid_value}
     *     ({@code max_tokens}, {@code max_completion_tokens}, {@code max_output_tokens}), {@code
     *     invalid_stream_options}
     */
    static ChatRequest parse(Buffer body) {
        return parse(Endpoint.CHAT, body);
    }

    /**
     * Reads a request to {@code endpoint}: the common fields as above, then what the endpoint's
     * protocol requires ({@link Endpoint#check}). A body in a protocol other than OpenAI's chat is
     * forwarded as it is (Anthropic's and the Responses API's streams report their usage unasked);
     * a {@code count_tokens} request generates nothing and is estimated at nothing.
     */
    static ChatRequest parse(Endpoint endpoint, Buffer body) {
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
        long maxTokens = Math.max(Math.max(outputTokens(json, "max_tokens"), outputTokens(json, "max_completion_tokens")),
                outputTokens(json, "max_output_tokens"));
        if (endpoint.protocol() == Protocol.ANTHROPIC_MESSAGES || endpoint.protocol() == Protocol.OPENAI_RESPONSES) {
            endpoint.check(new JsonObject(body));
            int bytes = endpoint == Endpoint.COUNT_TOKENS ? 0 : body.length();
            return new ChatRequest(endpoint, body, (ObjectNode) json, bytes, model.textValue(), streaming, true, maxTokens,
                    null);
        }
        if (!streaming) {
            return new ChatRequest(endpoint, body, (ObjectNode) json, body.length(), model.textValue(), false, true,
                    maxTokens, null);
        }
        JsonNode options = json.get("stream_options");
        if (options != null && !options.isNull() && !options.isObject()) {
            throw GatewayException.invalidRequest("invalid_stream_options", "stream_options must be an object.",
                    "stream_options");
        }
        boolean askedForUsage = options != null && options.path("include_usage").isBoolean()
                && options.get("include_usage").booleanValue();
        return new ChatRequest(endpoint, body, (ObjectNode) json, body.length(), model.textValue(), true, askedForUsage,
                maxTokens, null);
    }

    /**
     * This request with its chat completions translation when a channel of {@code plan} does not
     * speak the endpoint's protocol (routing picked it as one that can serve it by translation).
     *
     * @throws GatewayException 400 for content that cannot be translated
     */
    ChatRequest forPlan(List<Channel> plan) {
        if (!endpoint.translatable() || plan.stream().allMatch(channel -> channel.config().speaks(endpoint.protocol()))) {
            return this;
        }
        ObjectNode translated = (ObjectNode) read(endpoint.toChat(new JsonObject(body)).toBuffer());
        return new ChatRequest(endpoint, body, json, bodyBytes, model, stream, clientAskedForUsage, maxOutputTokens,
                translated);
    }

    /** Whether {@code channel} is sent the chat completions translation rather than the client's body. */
    boolean translatedFor(Channel channel) {
        return !channel.config().speaks(endpoint.protocol());
    }

    /**
     * The body to send to {@code channel}: the client's bytes as they are when nothing needs
     * changing, else re-encoded from a copy of the parsed tree (or of its chat completions
     * translation, for a channel that does not speak the endpoint's protocol) with {@code model} set
     * to the channel's upstream name for it and, for an OpenAI stream, {@code
     * stream_options.include_usage} set when the channel accepts it (so that the stream reports its
     * usage) or {@code stream_options} left out when it does not ({@link ChannelConfig#includeUsage()}).
     */
    Buffer bodyFor(ChannelConfig channel) {
        boolean translated = !channel.speaks(endpoint.protocol());
        ObjectNode tree = translated ? chat : json;
        String upstreamModel = channel.upstreamModel(model);
        boolean renamed = !upstreamModel.equals(model);
        boolean openAiStream = stream && (translated || endpoint.asksForStreamUsage());
        boolean askForUsage = openAiStream && channel.includeUsage() && (translated || !clientAskedForUsage);
        boolean dropOptions = openAiStream && !channel.includeUsage() && tree.has("stream_options");
        if (!translated && !renamed && !askForUsage && !dropOptions) {
            return body;
        }
        ObjectNode copy = tree.deepCopy();
        copy.put("model", upstreamModel);
        if (dropOptions) {
            copy.remove("stream_options");
        } else if (askForUsage) {
            JsonNode options = copy.get("stream_options");
            ObjectNode asked = options == null || options.isNull() ? copy.putObject("stream_options") : (ObjectNode) options;
            asked.put("include_usage", true);
        }
        return encode(copy);
    }

    private static Buffer encode(JsonNode json) {
        try {
            return Buffer.buffer(JSON.writeValueAsBytes(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("re-encoding a parsed body failed", e);
        }
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

    /**
     * What the request may cost, for the limiter: the prompt estimate, the output limit it states
     * (none, or 0 for a request that produces no completion), and the highest price of the model
     * among the channels that may serve it.
     */
    Demand demand(List<Channel> plan, boolean producesCompletion) {
        List<ModelPrice> prices = new ArrayList<>(plan.size());
        for (Channel channel : plan) {
            channel.config().price(model).ifPresent(prices::add);
        }
        OptionalLong maxCompletion = !producesCompletion ? OptionalLong.of(0)
                : maxOutputTokens > 0 ? OptionalLong.of(maxOutputTokens) : OptionalLong.empty();
        return new Demand(estimatedPromptTokens(), maxCompletion, ModelPrice.highest(prices));
    }

    /** The prompt at ~4 bytes a token; billed for a stream that ends without reporting its usage. */
    long estimatedPromptTokens() {
        return bodyBytes / 4;
    }
}
