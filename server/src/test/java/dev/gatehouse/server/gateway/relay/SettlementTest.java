package dev.gatehouse.server.gateway.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.gateway.metering.Caller;
import dev.gatehouse.server.gateway.metering.Outcome;
import dev.gatehouse.server.gateway.metering.Usage;
import dev.gatehouse.server.gateway.metering.UsageRecord;
import dev.gatehouse.server.gateway.metering.UsageSink;
import dev.gatehouse.server.gateway.metrics.ChannelMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The finish stage: one settlement and one usage record per request, whatever ends it and how often. */
class SettlementTest {
    private static final Caller CALLER = new Caller("acme", "bob", "sb-1", "t-1", "sandbox");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC);
    private final List<Long> settled = new ArrayList<>();
    private final List<UsageRecord> records = new ArrayList<>();
    private final ChatRequest request = ChatRequest.parse(Buffer.buffer("{\"model\":\"m\",\"max_tokens\":100}"));

    private Settlement settlement() {
        return new Settlement(CALLER, request, "req-1", System.nanoTime(), (tokens, spend) -> settled.add(tokens),
                record -> {
                    records.add(record);
                    return UsageSink.RECORDED;
                },
                ChannelMetrics.register(new SimpleMeterRegistry(), List.of()), CLOCK);
    }

    @Test
    void onlyTheFirstEndCounts() {
        Settlement settlement = settlement();

        settlement.finish(Outcome.COMPLETED, 200, Optional.of(new Usage(5, 3)));
        settlement.finish(Outcome.ABORTED, 499, Optional.empty());
        settlement.finish(Outcome.FAILED, 502, Optional.empty());

        assertThat(settlement.isDone()).isTrue();
        assertThat(settled).containsExactly(8L);
        assertThat(records).singleElement().satisfies(record -> {
            assertThat(record.outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(record.status()).isEqualTo(200);
            assertThat(record.promptTokens()).isEqualTo(5);
            assertThat(record.completionTokens()).isEqualTo(3);
            assertThat(record.requestId()).isEqualTo("req-1");
            assertThat(record.caller()).isEqualTo(CALLER);
            assertThat(record.model()).isEqualTo("m");
            assertThat(record.channel()).isEmpty();
        });
    }

    @Test
    void aCompletedResponseWithoutUsage_isChargedTheEstimate() {
        settlement().finish(Outcome.COMPLETED, 200, Optional.empty());

        assertThat(settled).containsExactly(request.estimatedPromptTokens() + request.maxOutputTokens());
        assertThat(request.estimatedPromptTokens() + request.maxOutputTokens()).isGreaterThan(100);
    }

    @Test
    void aFailedOrAbortedRequestWithoutUsage_isChargedNothing() {
        settlement().finish(Outcome.FAILED, 502, Optional.empty());
        settlement().finish(Outcome.ABORTED, 499, Optional.empty());

        assertThat(settled).containsExactly(0L, 0L);
    }

    @Test
    void aFailingSink_doesNotReachTheCaller_andTheReservationIsStillSettled() {
        Settlement settlement = new Settlement(CALLER, request, null, System.nanoTime(), (tokens, spend) -> settled.add(tokens),
                record -> {
                    throw new IllegalStateException("queue full");
                }, ChannelMetrics.register(new SimpleMeterRegistry(), List.of()), CLOCK);

        settlement.finish(Outcome.ABORTED, 499, Optional.of(new Usage(4, 1)));

        assertThat(settled).containsExactly(5L);
        assertThat(settlement.isDone()).isTrue();
    }
}
