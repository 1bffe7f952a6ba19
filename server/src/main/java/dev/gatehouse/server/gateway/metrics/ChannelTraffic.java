package dev.gatehouse.server.gateway.metrics;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One channel's traffic since the process started, read from the meters {@code /metrics} exposes
 * (see {@link ChannelTrafficReader}). Immutable.
 *
 * @param requests requests by {@code outcome} label ({@code completed}, {@code aborted}, {@code failed}),
 *     every outcome present, summed over models and status classes
 * @param upstreamErrors failed tries by {@code reason} label, every reason present
 * @param promptTokens {@code gatehouse_gateway_tokens_total{type="prompt"}} summed over models
 * @param completionTokens {@code gatehouse_gateway_tokens_total{type="completion"}} summed over models
 * @param firstByte {@code gatehouse_gateway_upstream_first_byte_seconds}
 * @param duration {@code gatehouse_gateway_request_duration_seconds}
 */
public record ChannelTraffic(Map<String, Long> requests, Map<String, Long> upstreamErrors, long promptTokens,
        long completionTokens, Latency firstByte, Latency duration) {

    public ChannelTraffic {
        requests = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(requests, "requests")));
        upstreamErrors = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(upstreamErrors, "upstreamErrors")));
        requireNonNull(firstByte, "firstByte");
        requireNonNull(duration, "duration");
    }

    /** Every request, whatever its outcome. */
    public long requestsTotal() {
        return requests.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * A latency timer's figures.
     *
     * @param count how many were timed
     * @param meanSeconds the sum divided by the count; 0 when nothing was timed
     * @param maxSeconds the largest of the last few minutes (the timer's decaying {@code _max})
     */
    public record Latency(long count, double meanSeconds, double maxSeconds) {
        public static final Latency NONE = new Latency(0, 0, 0);
    }
}
