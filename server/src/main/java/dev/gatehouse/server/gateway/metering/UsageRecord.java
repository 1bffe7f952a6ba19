package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One metered gateway request. Aborted and failed requests are recorded too, with the tokens that
 * were delivered (see docs/gateway-metering.md for how a stream cut short is counted). Immutable.
 *
 * @param at when the request arrived
 * @param requestId the request id ({@code X-Request-Id}), or {@code null}
 * @param caller who made it
 * @param channel the upstream channel it was routed to, or {@code null} if it failed before routing
 * @param model the model requested, or {@code null} if none could be read
 * @param promptTokens prompt (input) tokens, {@code >= 0}
 * @param completionTokens completion (output) tokens delivered, {@code >= 0}; 0 for embeddings
 * @param outcome how it ended
 * @param status the HTTP status the client was sent (0 if none was sent)
 * @param durationMillis from arrival to the last byte, {@code >= 0}
 * @param spendMicros the tokens at the channel's price for the model, in millionths of {@code
 *     gateway.currency}; 0 when it has no price
 */
public record UsageRecord(
        Instant at,
        String requestId,
        Caller caller,
        String channel,
        String model,
        long promptTokens,
        long completionTokens,
        Outcome outcome,
        int status,
        long durationMillis,
        long spendMicros) {

    public UsageRecord {
        requireNonNull(at, "at");
        requireNonNull(caller, "caller");
        requireNonNull(outcome, "outcome");
        if (promptTokens < 0) {
            throw new IllegalArgumentException("promptTokens: " + promptTokens + " (expected: >= 0)");
        }
        if (completionTokens < 0) {
            throw new IllegalArgumentException("completionTokens: " + completionTokens + " (expected: >= 0)");
        }
        if (status < 0 || status > 999) {
            throw new IllegalArgumentException("status: " + status + " (expected: 0..999)");
        }
        if (spendMicros < 0) {
            throw new IllegalArgumentException("spendMicros: " + spendMicros + " (expected: >= 0)");
        }
        if (durationMillis < 0) {
            throw new IllegalArgumentException("durationMillis: " + durationMillis + " (expected: >= 0)");
        }
    }

    /** Prompt plus completion tokens. */
    public long totalTokens() {
        return promptTokens + completionTokens;
    }
}
