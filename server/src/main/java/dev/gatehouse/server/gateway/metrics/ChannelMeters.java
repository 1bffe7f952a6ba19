package dev.gatehouse.server.gateway.metrics;

import dev.gatehouse.server.gateway.channels.Channel;
import dev.gatehouse.server.gateway.metering.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/** One channel's meters, all registered at construction (see {@link ModelMeters} for its models'). Thread-safe. */
final class ChannelMeters {
    static final String UPSTREAM_ERRORS = "gatehouse.gateway.upstream.errors";
    static final String FIRST_BYTE = "gatehouse.gateway.upstream.first.byte";
    static final String DURATION = "gatehouse.gateway.request.duration";

    /**
     * A handful of fixed buckets instead of a percentile histogram (about 70 buckets per timer and
     * channel): enough for SLO ratios and a rough p99 across replicas, at a fraction of the scrape.
     */
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMinutes(5)};

    private final Counter[] errors;
    private final Timer firstByte;
    private final Timer duration;
    private final Map<String, ModelMeters> models;

    ChannelMeters(MeterRegistry registry, Channel channel) {
        Tags tags = tags(channel);
        errors = Arrays.stream(UpstreamFailure.values())
                .map(reason -> Counter.builder(UPSTREAM_ERRORS)
                        .description("Failed tries of the channel, including those that failed over")
                        .tags(tags).tag("reason", reason.value()).register(registry))
                .toArray(Counter[]::new);
        firstByte = latency(FIRST_BYTE,
                "From starting the upstream request to its response headers, for responses relayed", tags, registry);
        duration = latency(DURATION,
                "From a request's arrival to its end, whatever the outcome", tags, registry);
        models = channel.config().publicModels().stream().collect(Collectors.toUnmodifiableMap(Function.identity(),
                model -> new ModelMeters(registry, tags.and("model", model))));
    }

    static Tags tags(Channel channel) {
        return Tags.of("channel", channel.name(), "provider", channel.config().provider());
    }

    private static Timer latency(String name, String description, Tags tags, MeterRegistry registry) {
        return Timer.builder(name).description(description).tags(tags)
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }

    void attemptFailed(UpstreamFailure reason) {
        errors[reason.ordinal()].increment();
    }

    void firstByte(long nanos) {
        firstByte.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Registers no more meters: see {@link ModelMeters#retire()}. */
    void retire() {
        models.values().forEach(ModelMeters::retire);
    }

    void finished(String model, Outcome outcome, int status, long promptTokens, long completionTokens,
            long durationNanos) {
        duration.record(durationNanos, TimeUnit.NANOSECONDS);
        ModelMeters meters = models.get(model);
        if (meters == null) {
            throw new IllegalArgumentException("model: " + model + " (expected: a model the channel serves)");
        }
        meters.finished(outcome, status, promptTokens, completionTokens);
    }
}
