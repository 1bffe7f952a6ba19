package dev.gatehouse.server.gateway.metrics;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.channels.Channel;
import dev.gatehouse.server.gateway.metering.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads a channel's traffic back from the meters {@link ChannelMetrics} registered, so that what the
 * admin API shows is what {@code /metrics} exposes, not a second count. A channel's series are those
 * tagged with its name and provider: a reload that moved a name to another provider starts new
 * series. Series not yet registered (a request outcome that has not happened) read as 0. Reading
 * walks the registry's meters; meant for occasional admin calls, not the relay. Thread-safe.
 */
public final class ChannelTrafficReader {
    private final MeterRegistry registry;

    public ChannelTrafficReader(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
    }

    /** {@code channel}'s traffic since the process started (its meters are never reset). */
    public ChannelTraffic read(Channel channel) {
        requireNonNull(channel, "channel");
        Tags tags = ChannelMeters.tags(channel);
        Map<String, Long> requests = new LinkedHashMap<>();
        for (Outcome outcome : Outcome.values()) {
            requests.put(outcome.value(), 0L);
        }
        for (Counter counter : registry.find(ModelMeters.REQUESTS).tags(tags).counters()) {
            requests.merge(counter.getId().getTag("outcome"), whole(counter), Long::sum);
        }
        Map<String, Long> errors = new LinkedHashMap<>();
        for (UpstreamFailure reason : UpstreamFailure.values()) {
            errors.put(reason.value(), 0L);
        }
        for (Counter counter : registry.find(ChannelMeters.UPSTREAM_ERRORS).tags(tags).counters()) {
            errors.merge(counter.getId().getTag("reason"), whole(counter), Long::sum);
        }
        return new ChannelTraffic(requests, errors, tokens(tags, "prompt"), tokens(tags, "completion"),
                latency(ChannelMeters.FIRST_BYTE, tags), latency(ChannelMeters.DURATION, tags));
    }

    private long tokens(Tags tags, String type) {
        return registry.find(ModelMeters.TOKENS).tags(tags).tag("type", type).counters().stream()
                .mapToLong(ChannelTrafficReader::whole).sum();
    }

    private ChannelTraffic.Latency latency(String name, Tags tags) {
        Timer timer = registry.find(name).tags(tags).timer();
        if (timer == null || timer.count() == 0) {
            return ChannelTraffic.Latency.NONE;
        }
        return new ChannelTraffic.Latency(timer.count(), timer.mean(TimeUnit.SECONDS), timer.max(TimeUnit.SECONDS));
    }

    /** Counters hold doubles; these only ever add whole requests and tokens. */
    private static long whole(Counter counter) {
        return Math.round(counter.count());
    }
}
