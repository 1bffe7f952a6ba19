package dev.gatehouse.server.gateway.metering;

import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.Set;

/**
 * Token counts of one response as the upstream reported them (OpenAI's {@code usage} object).
 *
 * @param promptTokens {@code usage.prompt_tokens}, {@code >= 0}
 * @param completionTokens {@code usage.completion_tokens}, {@code >= 0}; 0 when absent (embeddings)
 */
public record Usage(long promptTokens, long completionTokens) {
    /**
     * The counts of Anthropic's and the Responses API's {@code usage}: the prompt is the sum of the
     * first three (Anthropic counts cached input apart), the completion is {@code output_tokens}.
     */
    static final Set<String> INPUT_FIELDS =
            Set.of("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens");

    public Usage {
        if (promptTokens < 0) {
            throw new IllegalArgumentException("promptTokens: " + promptTokens + " (expected: >= 0)");
        }
        if (completionTokens < 0) {
            throw new IllegalArgumentException("completionTokens: " + completionTokens + " (expected: >= 0)");
        }
    }

    /** Prompt plus completion tokens. */
    public long totalTokens() {
        return promptTokens + completionTokens;
    }

    /** The usage of a parsed response (or chunk) object: its {@code usage} member. */
    static Optional<Usage> fromResponse(JsonObject response) {
        Object usage = response.getValue("usage");
        return usage instanceof JsonObject object ? fromUsageObject(object) : Optional.empty();
    }

    /**
     * The counts of a {@code usage} object itself: OpenAI's chat counts, else {@code input_tokens}
     * and {@code output_tokens} (Anthropic, the Responses API) with Anthropic's cache tokens as input.
     */
    static Optional<Usage> fromUsageObject(JsonObject usage) {
        Long prompt = count(usage.getValue("prompt_tokens"));
        if (prompt == null) {
            return fromInputOutput(usage);
        }
        Object completionValue = usage.getValue("completion_tokens");
        Long completion = completionValue == null ? Long.valueOf(0) : count(completionValue);
        if (completion == null) {
            return Optional.empty();
        }
        return Optional.of(new Usage(prompt, completion));
    }

    private static Optional<Usage> fromInputOutput(JsonObject usage) {
        long input = 0;
        boolean stated = false;
        for (String field : INPUT_FIELDS) {
            Object value = usage.getValue(field);
            if (value == null || field.equals("output_tokens")) {
                continue;
            }
            Long count = count(value);
            if (count == null) {
                return Optional.empty();
            }
            input += count;
            stated = true;
        }
        Object outputValue = usage.getValue("output_tokens");
        Long output = outputValue == null ? Long.valueOf(0) : count(outputValue);
        return stated && output != null ? Optional.of(new Usage(input, output)) : Optional.empty();
    }

    /** A token count as OpenAI states it: a whole, non-negative number below 2^62; else null. */
    static Long count(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            long count = ((Number) value).longValue();
            return count >= 0 ? count : null;
        }
        if (value instanceof Number number) {
            double count = number.doubleValue();
            return count >= 0 && count == Math.rint(count) && count < 0x1p62 ? (long) count : null;
        }
        return null;
    }
}
