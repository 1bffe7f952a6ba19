package dev.gatehouse.server.gateway.metering;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * Where one streaming protocol's {@code data:} events carry generated content and usage, for {@link
 * StreamUsage}. Stateless.
 */
public enum StreamFormat {
    /** Chat and text completions: content in {@code choices}, usage in an event of its own (or the last one). */
    OPENAI_CHAT {
        @Override
        long contentChars(JsonObject event) {
            return event.getValue("choices") instanceof JsonArray choices && !choices.isEmpty() ? choiceChars(choices) : -1;
        }

        @Override
        Usage usage(JsonObject event, Usage before) {
            return Usage.fromResponse(event).orElse(null);
        }
    },
    /**
     * Anthropic's Messages: content in {@code content_block_delta}; the input (cache tokens included)
     * in {@code message_start.message.usage}, the output so far in {@code message_delta.usage}.
     */
    ANTHROPIC_MESSAGES {
        @Override
        long contentChars(JsonObject event) {
            if (!"content_block_delta".equals(event.getValue("type")) || !(event.getValue("delta") instanceof JsonObject delta)) {
                return -1;
            }
            return length(delta.getValue("text")) + length(delta.getValue("partial_json"))
                    + length(delta.getValue("thinking"));
        }

        @Override
        Usage usage(JsonObject event, Usage before) {
            Object type = event.getValue("type");
            if ("message_start".equals(type) && event.getValue("message") instanceof JsonObject message) {
                return Usage.fromResponse(message).orElse(null);
            }
            if ("message_delta".equals(type) && event.getValue("usage") instanceof JsonObject usage) {
                Long output = Usage.count(usage.getValue("output_tokens"));
                Optional<Usage> restated = usage.containsKey("input_tokens") ? Usage.fromUsageObject(usage) : Optional.empty();
                return restated.orElseGet(() -> output == null ? null
                        : new Usage(before == null ? 0 : before.promptTokens(), output));
            }
            return null;
        }
    },
    /** OpenAI's Responses: content in {@code *.delta} events, usage in {@code response.completed} (or incomplete). */
    OPENAI_RESPONSES {
        @Override
        long contentChars(JsonObject event) {
            return event.getValue("type") instanceof String type && type.endsWith(".delta")
                    ? length(event.getValue("delta")) : -1;
        }

        @Override
        Usage usage(JsonObject event, Usage before) {
            Object type = event.getValue("type");
            boolean last = "response.completed".equals(type) || "response.incomplete".equals(type)
                    || "response.failed".equals(type);
            return last && event.getValue("response") instanceof JsonObject response
                    ? Usage.fromResponse(response).orElse(null) : null;
        }
    };

    /** Characters of generated text in {@code event}, or -1 when it is not a content event. */
    abstract long contentChars(JsonObject event);

    /** The usage once {@code event} was read, given the usage before it (may be null); null: it states none. */
    abstract Usage usage(JsonObject event, Usage before);

    /** Characters of generated text in chat choices: content, reasoning, refusals, tool-call arguments. */
    private static long choiceChars(JsonArray choices) {
        long chars = 0;
        for (Object item : choices) {
            if (item instanceof JsonObject choice) {
                chars += length(choice.getValue("text"));
                if (choice.getValue("delta") instanceof JsonObject delta) {
                    chars += length(delta.getValue("content")) + length(delta.getValue("reasoning_content"))
                            + length(delta.getValue("reasoning")) + length(delta.getValue("refusal"));
                    if (delta.getValue("tool_calls") instanceof JsonArray calls) {
                        for (Object call : calls) {
                            if (call instanceof JsonObject c && c.getValue("function") instanceof JsonObject function) {
                                chars += length(function.getValue("arguments"));
                            }
                        }
                    }
                }
            }
        }
        return chars;
    }

    private static long length(Object value) {
        return value instanceof String text ? text.length() : 0;
    }
}
