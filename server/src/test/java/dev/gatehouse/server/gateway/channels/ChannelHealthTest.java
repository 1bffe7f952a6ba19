package dev.gatehouse.server.gateway.channels;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.gatehouse.server.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The in/out state machine, on a clock the test moves. */
class ChannelHealthTest {
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final List<ChannelHealth> wentOut = new ArrayList<>();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T12:00:00Z"));
    private final ChannelHealth health = new ChannelHealth("qwen-a", 3, Duration.ofSeconds(30), nanos::get, clock,
            wentOut::add);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ChannelHealth.class);

    @BeforeEach
    void captureLogs() {
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        logger.detachAppender(logs);
    }

    @Test
    void thresholdFailuresWithinTheWindow_takeItOut_reportedAndLoggedOnce() {
        health.failure("status_5xx");
        health.failure("status_5xx");
        assertThat(health.isIn()).isTrue();

        health.failure("first_byte_timeout");
        health.failure("status_5xx");

        assertThat(health.isIn()).isFalse();
        assertThat(wentOut).containsExactly(health);
        assertThat(logs.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).contains("taken out");
            assertThat(event.getKeyValuePairs().toString()).contains("channel=\"qwen-a\"", "failures=\"3\"",
                    "lastFailure=\"first_byte_timeout\"");
        });
    }

    @Test
    void failuresOlderThanTheWindow_doNotCount() {
        health.failure("status_5xx");
        health.failure("status_5xx");
        nanos.addAndGet(Duration.ofSeconds(31).toNanos());

        health.failure("status_5xx");
        health.failure("status_5xx");

        assertThat(health.isIn()).isTrue();
        health.failure("status_5xx");
        assertThat(health.isIn()).isFalse();
    }

    @Test
    void aUsableResponse_clearsTheFailuresCountedSoFar() {
        health.failure("status_5xx");
        health.failure("status_5xx");

        health.success();
        health.failure("status_5xx");
        health.failure("status_5xx");

        assertThat(health.isIn()).isTrue();
        assertThat(wentOut).isEmpty();
    }

    @Test
    void whileOut_onlyAProbeBringsItBack_loggedOnceWithHowLongItWasOut() {
        takeOut();
        logs.list.clear();

        health.success();
        assertThat(health.isIn()).as("a late success of a request admitted earlier").isFalse();
        nanos.addAndGet(Duration.ofSeconds(12).toNanos());
        health.probeSucceeded("GET /models: 200");
        health.probeSucceeded("GET /models: 200");

        assertThat(health.isIn()).isTrue();
        assertThat(logs.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.INFO);
            assertThat(event.getFormattedMessage()).contains("back in");
            assertThat(event.getKeyValuePairs().toString()).contains("channel=\"qwen-a\"",
                    "probe=\"GET /models: 200\"", "outFor=\"PT12S\"");
        });
    }

    @Test
    void backIn_onProbationForOneWindow_itsFirstFailureTakesItOutAgain() {
        takeOut();
        health.probeSucceeded("GET /models: 200");
        nanos.addAndGet(Duration.ofSeconds(29).toNanos());
        logs.list.clear();

        health.failure("status_5xx");

        assertThat(health.isIn()).isFalse();
        assertThat(wentOut).containsExactly(health, health);
        assertThat(logs.list).singleElement().satisfies(event ->
                assertThat(event.getKeyValuePairs().toString()).contains("failures=\"1\"", "lastFailure=\"status_5xx\""));
    }

    @Test
    void afterProbation_itCountsAfresh_andGoesOutAgainAfterThresholdNewFailures() {
        takeOut();
        health.probeSucceeded("GET /models: 200");
        nanos.addAndGet(Duration.ofSeconds(31).toNanos());

        health.failure("status_5xx");
        health.failure("status_5xx");
        assertThat(health.isIn()).isTrue();
        health.failure("status_5xx");

        assertThat(health.isIn()).isFalse();
        assertThat(wentOut).containsExactly(health, health);
    }

    @Test
    void state_isInWithoutASince_untilAChange_thenSaysWhenItWentOutAndWhenItCameBack() {
        assertThat(health.state()).isEqualTo(new ChannelHealth.State(true, Optional.empty()));
        health.failure("connect");
        health.failure("connect");
        clock.advance(Duration.ofSeconds(5));
        health.failure("connect");
        ChannelHealth.State out = health.state();
        clock.advance(Duration.ofSeconds(7));
        health.failure("connect");
        health.success();
        ChannelHealth.State stillOut = health.state();

        health.probeSucceeded("GET /models: 200");

        assertThat(out).isEqualTo(new ChannelHealth.State(false, Optional.of(Instant.parse("2026-12-06T12:00:05Z"))));
        assertThat(stillOut).as("requests while out change nothing").isEqualTo(out);
        assertThat(health.state())
                .isEqualTo(new ChannelHealth.State(true, Optional.of(Instant.parse("2026-12-06T12:00:12Z"))));
    }

    @Test
    void channelFailures_are429_502_503_504_andTheKeyRefused_notA500ThatACallersBodyMayCause() {
        assertThat(List.of(401, 403, 429, 502, 503, 504)).allMatch(ChannelHealth::isChannelFailure);
        assertThat(List.of(200, 201, 301, 400, 404, 413, 422, 500, 501, 505)).noneMatch(ChannelHealth::isChannelFailure);
    }

    private void takeOut() {
        for (int i = 0; i < 3; i++) {
            health.failure("status_5xx");
        }
        assertThat(health.isIn()).isFalse();
    }
}
