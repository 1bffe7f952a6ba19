package dev.gatehouse.server.gateway.limits;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.ModelPrice;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one request may cost, as the limiter weighs it before admission. Immutable.
 *
 * @param promptTokens the prompt estimate, {@code >= 0}
 * @param maxCompletionTokens the output limit the request states ({@code max_tokens} and its
 *     synonyms), 0 for a request that produces no completion (embeddings); empty when it states none
 * @param price the highest price among the channels that may serve it; empty when unpriced
 */
public record Demand(long promptTokens, OptionalLong maxCompletionTokens, Optional<ModelPrice> price) {

    public Demand {
        requireNonNull(maxCompletionTokens, "maxCompletionTokens");
        requireNonNull(price, "price");
        if (promptTokens < 0) {
            throw new IllegalArgumentException("promptTokens: " + promptTokens + " (expected: >= 0)");
        }
        if (maxCompletionTokens.isPresent() && maxCompletionTokens.getAsLong() < 0) {
            throw new IllegalArgumentException("maxCompletionTokens: " + maxCompletionTokens.getAsLong()
                    + " (expected: >= 0)");
        }
    }

    /** A demand of {@code tokens} in all, without a price (rate-limit tests, tools). */
    public static Demand tokens(long tokens) {
        return new Demand(0, OptionalLong.of(tokens), Optional.empty());
    }

    /** The estimate per-minute token windows count until the real usage is known. */
    long estimatedTokens() {
        return promptTokens + maxCompletionTokens.orElse(0);
    }

    /** The most completion tokens the request may produce: its stated limit, else {@code defaultReservation}. */
    long completionCap(long defaultReservation) {
        return maxCompletionTokens.orElse(defaultReservation);
    }
}
