package dev.gatehouse.server.gateway.relay;

import dev.gatehouse.server.gateway.ErrorShape;
import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.Protocol;
import dev.gatehouse.server.gateway.metering.StreamFormat;
import dev.gatehouse.server.gateway.protocols.ChatTranslation;
import dev.gatehouse.server.gateway.protocols.ResponseTranslator;
import dev.gatehouse.server.gateway.protocols.anthropic.AnthropicErrors;
import dev.gatehouse.server.gateway.protocols.anthropic.MessagesRequest;
import dev.gatehouse.server.gateway.protocols.anthropic.MessagesTranslation;
import dev.gatehouse.server.gateway.protocols.responses.ResponsesErrors;
import dev.gatehouse.server.gateway.protocols.responses.ResponsesRequest;
import dev.gatehouse.server.gateway.protocols.responses.ResponsesTranslation;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * A relayed gateway endpoint: the client's protocol, where it goes on a channel that speaks it, and,
 * for Anthropic's Messages and OpenAI's Responses, how it is translated for a channel that speaks
 * only chat completions.
 * Refusals on an endpoint take its protocol's error shape. Stateless.
 */
public enum Endpoint {
    CHAT("/v1/chat/completions", Protocol.OPENAI_CHAT, "/chat/completions"),
    COMPLETIONS("/v1/completions", Protocol.OPENAI_COMPLETIONS, "/completions"),
    EMBEDDINGS("/v1/embeddings", Protocol.OPENAI_EMBEDDINGS, "/embeddings"),
    MESSAGES("/v1/messages", Protocol.ANTHROPIC_MESSAGES, "/messages", new MessagesTranslation()),
    COUNT_TOKENS("/v1/messages/count_tokens", Protocol.ANTHROPIC_MESSAGES, "/messages/count_tokens"),
    RESPONSES("/v1/responses", Protocol.OPENAI_RESPONSES, "/responses", new ResponsesTranslation());

    private final String path;
    private final Protocol protocol;
    private final String upstreamPath;
    /** Null when only channels speaking the endpoint's protocol serve it. */
    private final ChatTranslation translation;

    Endpoint(String path, Protocol protocol, String upstreamPath) {
        this(path, protocol, upstreamPath, null);
    }

    Endpoint(String path, Protocol protocol, String upstreamPath, ChatTranslation translation) {
        this.path = path;
        this.protocol = protocol;
        this.upstreamPath = upstreamPath;
        this.translation = translation;
    }

    /** The gateway's path, e.g. {@code /v1/messages}. */
    public String path() {
        return path;
    }

    /** The endpoint at {@code path}, if one is relayed there. */
    public static Optional<Endpoint> at(String path) {
        for (Endpoint endpoint : values()) {
            if (endpoint.path.equals(path)) {
                return Optional.of(endpoint);
            }
        }
        return Optional.empty();
    }

    /** How refusals read on {@code path}: Anthropic's shape under {@code /v1/messages}, OpenAI's elsewhere. */
    public static ErrorShape errorShape(String path) {
        return path != null && (path.equals(MESSAGES.path) || path.startsWith(MESSAGES.path + "/"))
                ? AnthropicErrors.SHAPE : ErrorShape.OPENAI;
    }

    public ErrorShape errorShape() {
        return protocol == Protocol.ANTHROPIC_MESSAGES ? AnthropicErrors.SHAPE : ErrorShape.OPENAI;
    }

    Protocol protocol() {
        return protocol;
    }

    String upstreamPath() {
        return upstreamPath;
    }

    /** The protocols a channel must speak to serve this endpoint: its own, or chat completions to translate to. */
    Set<Protocol> servedBy() {
        return translatable() ? EnumSet.of(protocol, Protocol.OPENAI_CHAT) : EnumSet.of(protocol);
    }

    boolean translatable() {
        return translation != null;
    }

    /** Whether a response may be generated (a budget's completion limit applies). */
    boolean producesCompletion() {
        return this != EMBEDDINGS && this != COUNT_TOKENS;
    }

    /** Whether a stream of this endpoint reports its usage only when asked ({@code stream_options.include_usage}). */
    boolean asksForStreamUsage() {
        return protocol == Protocol.OPENAI_CHAT || protocol == Protocol.OPENAI_COMPLETIONS;
    }

    /** Where this protocol's stream events carry content and usage. */
    StreamFormat streamFormat() {
        return switch (protocol) {
            case ANTHROPIC_MESSAGES -> StreamFormat.ANTHROPIC_MESSAGES;
            case OPENAI_RESPONSES -> StreamFormat.OPENAI_RESPONSES;
            default -> StreamFormat.OPENAI_CHAT;
        };
    }

    /** Checks what the relay relies on in a request body beyond the common fields; 400 otherwise. */
    void check(JsonObject body) {
        switch (protocol) {
            case ANTHROPIC_MESSAGES -> MessagesRequest.check(body, this == COUNT_TOKENS);
            case OPENAI_RESPONSES -> ResponsesRequest.check(body);
            default -> { }
        }
    }

    /** The chat completions request to send a channel that does not speak this protocol ({@link #translatable}). */
    JsonObject toChat(JsonObject body) {
        return translation.toChat(body);
    }

    /** Translates a successful chat completions response back into this protocol ({@link #translatable}). */
    ResponseTranslator fromChat(boolean sse, String model) {
        return translation.fromChat(sse, model);
    }

    /** The error event ending a stream cut at its budget's allowance, in this protocol's shape. */
    Buffer budgetExhausted(long completionAllowance) {
        return streamError(new GatewayException(429, "insufficient_quota", "insufficient_quota",
                "Budget exhausted: the response was cut after " + completionAllowance
                        + " completion tokens, what the budget had left."));
    }

    /** {@code error} as the last event of a stream in this protocol, which its SDKs raise as an error. */
    Buffer streamError(GatewayException error) {
        return switch (protocol) {
            case ANTHROPIC_MESSAGES -> AnthropicErrors.event(AnthropicErrors.type(error.status()), error.getMessage());
            case OPENAI_RESPONSES -> ResponsesErrors.event(error.code(), error.getMessage());
            default -> error.sseEvent();
        };
    }
}
