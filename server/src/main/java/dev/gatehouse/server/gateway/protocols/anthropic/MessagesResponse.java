package dev.gatehouse.server.gateway.protocols.anthropic;

import dev.gatehouse.server.gateway.protocols.ChatFields;
import dev.gatehouse.server.gateway.protocols.ResponseTranslator;
import dev.gatehouse.server.gateway.protocols.WholeBody;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A chat completion translated into an Anthropic message: the first choice's text as a text block,
 * its tool calls as {@code tool_use} blocks, {@code finish_reason} as {@code stop_reason}, usage as
 * {@code input_tokens}/{@code output_tokens}; an upstream error as Anthropic's error body. Stateless.
 */
public final class MessagesResponse {
    private MessagesResponse() {}

    /**
     * A translator of one successful chat completions response, for a request of {@code model}
     * (error statuses are answered by the relay, in the client's shape).
     */
    public static ResponseTranslator translator(String model) {
        return new WholeBody(body -> body == null ? unreadable() : message(body, model));
    }

    static JsonObject message(JsonObject completion, String model) {
        JsonObject choice = completion.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
                && choices.getValue(0) instanceof JsonObject first ? first : new JsonObject();
        JsonObject said = choice.getValue("message") instanceof JsonObject message ? message : new JsonObject();
        JsonArray content = new JsonArray();
        if (said.getValue("content") instanceof String text && !text.isEmpty()) {
            content.add(new JsonObject().put("type", "text").put("text", text));
        }
        if (said.getValue("tool_calls") instanceof JsonArray calls) {
            for (Object item : calls) {
                if (item instanceof JsonObject call && call.getValue("function") instanceof JsonObject function) {
                    content.add(new JsonObject().put("type", "tool_use").put("id", ChatFields.text(call.getValue("id"), ""))
                            .put("name", ChatFields.text(function.getValue("name"), ""))
                            .put("input", arguments(function.getValue("arguments"))));
                }
            }
        }
        return new JsonObject().put("id", messageId(completion.getValue("id"))).put("type", "message").put("role", "assistant")
                .put("model", model).put("content", content)
                .put("stop_reason", stopReason(choice.getValue("finish_reason"))).putNull("stop_sequence")
                .put("usage", usage(completion.getValue("usage")));
    }

    /** Anthropic's usage of an OpenAI {@code usage} object (zeros when absent). */
    static JsonObject usage(Object usage) {
        JsonObject counts = usage instanceof JsonObject object ? object : new JsonObject();
        return new JsonObject().put("input_tokens", number(counts.getValue("prompt_tokens")))
                .put("output_tokens", number(counts.getValue("completion_tokens")));
    }

    /** OpenAI's {@code finish_reason} as Anthropic's {@code stop_reason}. */
    static String stopReason(Object finishReason) {
        return switch (String.valueOf(finishReason)) {
            case "length" -> "max_tokens";
            case "tool_calls", "function_call" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> "end_turn";
        };
    }

    static String messageId(Object upstreamId) {
        return "msg_" + (upstreamId instanceof String id ? id : "gatehouse");
    }

    private static long number(Object value) {
        return value instanceof Number number ? number.longValue() : 0;
    }

    private static JsonObject arguments(Object arguments) {
        if (!(arguments instanceof String text) || text.isBlank()) {
            return new JsonObject();
        }
        try {
            return new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            return new JsonObject();
        }
    }

    /** An upstream answer that is not one JSON object. */
    private static JsonObject unreadable() {
        return AnthropicErrors.body(AnthropicErrors.type(502), "The upstream's answer could not be read.");
    }
}
