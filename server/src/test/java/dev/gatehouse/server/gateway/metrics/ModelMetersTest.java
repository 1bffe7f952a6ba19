package dev.gatehouse.server.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.gateway.metering.Outcome;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class ModelMetersTest {

    /**
     * A request that ends after its removed channel was drained and its series removed (the order
     * is not fixed: the upstream connection may close before the relay's bookkeeping) must not
     * register a series of that channel again; ChannelReloadTest saw one come back under load.
     */
    @Test
    void aRetiredModel_registersNoNewSeries_whileItsCountersSoFarKeepCounting() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ModelMeters meters = new ModelMeters(registry, Tags.of("channel", "one", "model", "m"));
        meters.finished(Outcome.COMPLETED, 200, 1, 1);

        meters.retire();
        meters.finished(Outcome.COMPLETED, 200, 1, 1);
        meters.finished(Outcome.FAILED, 502, 0, 0);

        assertThat(registry.find(ModelMeters.REQUESTS).counters()).singleElement().satisfies(counter -> {
            assertThat(counter.getId().getTag("status")).isEqualTo("2xx");
            assertThat(counter.count()).isEqualTo(2);
        });
    }
}
