package dev.gatehouse.server.gateway.metrics;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.channels.Channel;
import dev.gatehouse.server.gateway.metering.Outcome;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The gateway's metrics per channel, for Prometheus (docs/operations.md lists them): requests by
 * outcome and status class, upstream errors by {@link UpstreamFailure reason}, time to the upstream's
 * first byte and of the whole request, prompt and completion tokens, and whether the channel is in.
 * Labels come from the configuration only — channel, provider and a model the channel serves — never
 * from a caller, so the number of series is bounded.
 *
 * <p>Every meter is resolved once, when the channel is registered (a request counter when its outcome
 * and status class first happen); recording is then a look-up by name and an atomic add, which keeps
 * the relay's hot path cheap. Thread-safe.
 */
public final class ChannelMetrics {
    private final Map<String, ChannelMeters> byName;

    private ChannelMetrics(Map<String, ChannelMeters> byName) {
        this.byName = byName;
    }

    /** Registers the meters of {@code channels} in {@code registry}. */
    public static ChannelMetrics register(MeterRegistry registry, List<Channel> channels) {
        requireNonNull(registry, "registry");
        requireNonNull(channels, "channels");
        return new ChannelMetrics(channels.stream().collect(Collectors.toUnmodifiableMap(Channel::name,
                channel -> new ChannelMeters(registry, channel))));
    }

    /** One try of {@code channel} failed, whether the request then failed over or not. */
    public void attemptFailed(Channel channel, UpstreamFailure reason) {
        meters(channel).attemptFailed(reason);
    }

    /** {@code channel}'s response headers arrived {@code nanos} after its request was started, and are relayed. */
    public void firstByte(Channel channel, long nanos) {
        meters(channel).firstByte(nanos);
    }

    /**
     * A request ended on {@code channel}, the last channel it tried.
     *
     * @param model a model {@code channel} serves
     * @param status the HTTP status the client was sent
     * @param durationNanos from the request's arrival to its end
     */
    public void finished(Channel channel, String model, Outcome outcome, int status, long promptTokens,
            long completionTokens, long durationNanos) {
        meters(channel).finished(model, outcome, status, promptTokens, completionTokens, durationNanos);
    }

    private ChannelMeters meters(Channel channel) {
        ChannelMeters meters = byName.get(channel.name());
        if (meters == null) {
            throw new IllegalArgumentException("channel: " + channel.name() + " (expected: a registered channel)");
        }
        return meters;
    }
}
