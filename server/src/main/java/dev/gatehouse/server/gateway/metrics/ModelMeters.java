package dev.gatehouse.server.gateway.metrics;

import dev.gatehouse.server.gateway.metering.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The meters of one model on one channel: its prompt and completion tokens, and its requests by
 * outcome and status class. Only a few outcome × status class pairs ever happen, so each request
 * counter is registered when its pair first does, keeping series that would stay 0 out of the scrape.
 * Once {@link #retire retired} (its channel was removed and drained), a pair seen for the first time
 * is counted nowhere: a request that ends after the drain must not bring back a removed channel's
 * series. Thread-safe.
 */
final class ModelMeters {
    static final String TOKENS = "gatehouse.gateway.tokens";
    static final String REQUESTS = "gatehouse.gateway.requests";
    private static final int STATUS_CLASSES = 10;

    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter promptTokens;
    private final Counter completionTokens;
    private final AtomicReferenceArray<Counter> requests =
            new AtomicReferenceArray<>(Outcome.values().length * STATUS_CLASSES);
    private boolean retired;

    ModelMeters(MeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
        this.promptTokens = tokens("prompt");
        this.completionTokens = tokens("completion");
    }

    private Counter tokens(String type) {
        return Counter.builder(TOKENS)
                .description("Tokens as metered: the upstream's usage, or what an aborted stream delivered")
                .tags(tags).tag("type", type).register(registry);
    }

    void finished(Outcome outcome, int status, long prompt, long completion) {
        requests(outcome, status).increment();
        if (prompt > 0) {
            promptTokens.increment(prompt);
        }
        if (completion > 0) {
            completionTokens.increment(completion);
        }
    }

    /**
     * Registers no more counters. The caller removes this model's series from the registry after
     * this returns: a counter registered before it is removed with them.
     */
    synchronized void retire() {
        retired = true;
    }

    private Counter requests(Outcome outcome, int status) {
        int statusClass = Math.clamp(status / 100, 0, STATUS_CLASSES - 1);
        int slot = outcome.ordinal() * STATUS_CLASSES + statusClass;
        Counter counter = requests.get(slot);
        return counter != null ? counter : register(slot, outcome, statusClass);
    }

    private synchronized Counter register(int slot, Outcome outcome, int statusClass) {
        Counter counter = requests.get(slot);
        if (counter == null) {
            counter = Counter.builder(REQUESTS)
                    .description("Requests relayed, by how they ended and the status class the client was sent")
                    .tags(tags).tag("outcome", outcome.value()).tag("status", statusClass + "xx")
                    .register(retired ? ChannelMetrics.RETIRED : registry);
            requests.set(slot, counter);
        }
        return counter;
    }
}
