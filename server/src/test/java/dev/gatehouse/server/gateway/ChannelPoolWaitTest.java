package dev.gatehouse.server.gateway;

import static dev.gatehouse.server.gateway.TestGateway.channel;
import static dev.gatehouse.server.gateway.TestGateway.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.testing.PrometheusScrape;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Waiting for a connection is bounded by {@code gateway.firstByteTimeout} and is not the channel's
 * fault: one connection, held by a stream whose upstream went quiet, and a request queued behind it.
 */
class ChannelPoolWaitTest {
    @TempDir
    static Path dataDir;

    static Vertx vertx;
    static FakeUpstream upstream;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        upstream = FakeUpstream.start(vertx);
        gateway = TestGateway.start(dataDir, new JsonArray().add(channel("solo", "solo", upstream, "sse-stall", "json")),
                Map.of("GATEHOUSE_SERVER_EVENT_LOOPS", "1", // the pool limits are per event loop
                        "GATEHOUSE_GATEWAY_MAX_CONNECTIONS_PER_CHANNEL", "1",
                        "GATEHOUSE_GATEWAY_MAX_WAITING_PER_CHANNEL", "1",
                        "GATEHOUSE_GATEWAY_CHANNEL_FAILURE_THRESHOLD", "1",
                        "GATEHOUSE_GATEWAY_FIRST_BYTE_TIMEOUT", "1s",
                        "GATEHOUSE_GATEWAY_IDLE_TIMEOUT", "1m"));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        vertx.close().await();
    }

    @Test
    void aRequestWaitingLongerThanTheFirstByteTimeout_is503ChannelsBusy_andTheChannelStaysIn() {
        gateway.chatAsync("solo", "sse-stall");
        Await.until("the only connection taken by the stalled stream", Duration.ofSeconds(5), () -> upstream.requests() == 1);

        long started = System.nanoTime();
        HttpResponse<String> waited = gateway.chat("solo", "json");

        assertThat(waited.statusCode()).as(waited.body()).isEqualTo(503);
        assertThat(errorCode(waited)).isEqualTo("channels_busy");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(upstream.requests()).isEqualTo(1);
        PrometheusScrape metrics = gateway.metrics();
        assertThat(metrics.withLabel("channel", "solo")).filteredOn(s -> s.name().equals("gatehouse_gateway_channel_up"))
                .singleElement().extracting(PrometheusScrape.Sample::value).isEqualTo(1.0);
        assertThat(metrics.withLabel("channel", "solo")).filteredOn(s -> s.name().equals("gatehouse_gateway_upstream_errors_total"))
                .allSatisfy(sample -> assertThat(sample.value()).as(sample.toString()).isZero());
    }
}
