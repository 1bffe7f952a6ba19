package dev.gatehouse.server.gateway.metering;

import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * Token counts of one response as the upstream reported them (OpenAI's {@code usage} object).
 *
 * @param promptTokens {@code usage.prompt_tokens}, {@code >= 0}
 * @param completionTokens {@code usage.completion_tokens}, {@code >= 0}; 0 when absent (embeddings)
 */
public record Usage(long promptTokens, long completionTokens) {

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

    /** The counts of a {@code usage} object itself. */
    static Optional<Usage> fromUsageObject(JsonObject usage) {
        Long prompt = count(usage.getValue("prompt_tokens"));
        if (prompt == null) {
            return Optional.empty();
        }
        Object completionValue = usage.getValue("completion_tokens");
        Long completion = completionValue == null ? Long.valueOf(0) : count(completionValue);
        if (completion == null) {
            return Optional.empty();
        }
        return Optional.of(new Usage(prompt, completion));
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
