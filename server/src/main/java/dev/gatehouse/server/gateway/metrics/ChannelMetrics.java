package dev.gatehouse.server.gateway.metrics;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.channels.Channel;
import dev.gatehouse.server.gateway.channels.ChannelHealth;
import dev.gatehouse.server.gateway.metering.Outcome;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The gateway's metrics per channel, for Prometheus (docs/operations.md lists them): requests by
 * outcome and status class, upstream errors by {@link UpstreamFailure reason}, time to the upstream's
 * first byte and of the whole request, prompt and completion tokens, and whether the channel is in.
 * Labels come from the configuration only — channel, provider and a model the channel serves — never
 * from a caller, so the number of series is bounded.
 *
 * <p>Meters are resolved per channel object when it is {@linkplain #update put in use} (a request
 * counter when its outcome and status class first happen); recording is then a look-up and an atomic
 * add, which keeps the relay's hot path cheap. A request still in flight on a channel a reload
 * replaced records on that channel's meters (the same series while its name and provider stay); the
 * series of a removed channel go with {@link #retire}, after its drain. Thread-safe.
 */
public final class ChannelMetrics {
    /** A registry of no-op meters (a composite of none). */
    static final MeterRegistry RETIRED = new CompositeMeterRegistry();

    private final MeterRegistry registry;
    private final Map<Channel, ChannelMeters> byChannel = new ConcurrentHashMap<>();
    /** Per channel name, the health the {@code up} gauge reads: the current channel of that name. */
    private final Map<String, AtomicReference<ChannelHealth>> up = new ConcurrentHashMap<>();
    private volatile Set<String> currentNames = Set.of();

    private ChannelMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the meters of {@code channels} in {@code registry}. */
    public static ChannelMetrics register(MeterRegistry registry, List<Channel> channels) {
        requireNonNull(registry, "registry");
        ChannelMetrics metrics = new ChannelMetrics(registry);
        metrics.update(channels);
        return metrics;
    }

    /** {@code channels} are the ones in use now: registers the meters of those that are new. */
    public void update(List<Channel> channels) {
        requireNonNull(channels, "channels");
        Set<Channel> current = Collections.newSetFromMap(new IdentityHashMap<>());
        current.addAll(channels);
        Set<String> names = channels.stream().map(Channel::name).collect(Collectors.toUnmodifiableSet());
        currentNames = names;
        // A replaced channel's requests still in flight record on the same series again if they must;
        // a removed channel's keep their meters until it is retired.
        byChannel.keySet().removeIf(channel -> !current.contains(channel) && names.contains(channel.name()));
        for (Channel channel : channels) {
            meters(channel);
            up.computeIfAbsent(channel.name(), name -> {
                AtomicReference<ChannelHealth> health = new AtomicReference<>();
                Gauge.builder("gatehouse.gateway.channel.up", health, h -> h.get() != null && h.get().isIn() ? 1 : 0)
                        .description("1 while the channel takes requests, 0 while it is taken out after failing")
                        .tags(ChannelMeters.tags(channel)).register(registry);
                return health;
            }).set(channel.health());
        }
    }

    /**
     * Removes every series of the channels {@code names}, removed by a reload and drained; a name in
     * use again by then keeps its series.
     */
    public void retire(Collection<String> names) {
        for (String name : names) {
            if (currentNames.contains(name)) {
                continue;
            }
            up.remove(name);
            byChannel.entrySet().removeIf(entry -> {
                boolean retiring = entry.getKey().name().equals(name);
                if (retiring) {
                    entry.getValue().retire();
                }
                return retiring;
            });
            for (Meter meter : List.copyOf(registry.getMeters())) {
                if (name.equals(meter.getId().getTag("channel"))) {
                    registry.remove(meter);
                }
            }
        }
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
        ChannelMeters meters = byChannel.get(channel);
        if (meters != null) {
            return meters;
        }
        if (!currentNames.contains(channel.name())) {
            // Retired: a request that outlived its channel's drain is not counted, rather than
            // bringing back the series of a channel no longer configured.
            return new ChannelMeters(RETIRED, channel);
        }
        return byChannel.computeIfAbsent(channel, c -> new ChannelMeters(registry, c));
    }
}
