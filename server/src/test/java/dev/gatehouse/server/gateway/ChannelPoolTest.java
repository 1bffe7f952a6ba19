package dev.gatehouse.server.gateway;

import static dev.gatehouse.server.gateway.TestGateway.channel;
import static dev.gatehouse.server.gateway.TestGateway.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.gateway.metering.UsageRecord;
import dev.gatehouse.server.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-channel connection pool: {@code gateway.maxConnectionsPerChannel=2} and {@code
 * gateway.maxWaitingPerChannel=1}, upstreams that hold every request until the test opens their gate.
 * A request finding both connections taken and the one waiting place filled fails over, or gets 503
 * {@code channels_busy}; that never counts against the channel (the failure threshold is 1 here).
 */
class ChannelPoolTest {
    @TempDir
    static Path dataDir;

    static Vertx vertx;
    static FakeUpstream heldAlone;
    static FakeUpstream heldSpill;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        heldAlone = FakeUpstream.start(vertx);
        heldSpill = FakeUpstream.start(vertx);
        gateway = TestGateway.start(dataDir, new JsonArray()
                        .add(channel("alone", "alone", heldAlone, "held"))
                        .add(channel("first", "spill", heldSpill, "held").put("priority", 0))
                        .add(channel("second", "spill", heldSpill, "held").put("priority", 1)),
                Map.of("GATEHOUSE_SERVER_EVENT_LOOPS", "1", // the pool limits are per event loop
                        "GATEHOUSE_GATEWAY_MAX_CONNECTIONS_PER_CHANNEL", "2",
                        "GATEHOUSE_GATEWAY_MAX_WAITING_PER_CHANNEL", "1",
                        "GATEHOUSE_GATEWAY_CHANNEL_FAILURE_THRESHOLD", "1",
                        "GATEHOUSE_GATEWAY_FIRST_BYTE_TIMEOUT", "20s"));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        vertx.close().await();
    }

    @Test
    void twoConnectionsTakenAndOneRequestWaiting_theNextIs503ChannelsBusy_theWaitingOneIsServed_channelStaysIn() {
        List<CompletableFuture<HttpResponse<String>>> holding = List.of(
                gateway.chatAsync("alone", "held"), gateway.chatAsync("alone", "held"));
        Await.until("both connections taken", Duration.ofSeconds(5), () -> heldAlone.requests() == 2);

        List<CompletableFuture<HttpResponse<String>>> contending = List.of(
                gateway.chatAsync("alone", "held"), gateway.chatAsync("alone", "held"));
        CompletableFuture.anyOf(contending.toArray(CompletableFuture[]::new)).join();

        HttpResponse<String> busy = contending.stream().filter(CompletableFuture::isDone).findFirst().orElseThrow().join();
        assertThat(busy.statusCode()).as(busy.body()).isEqualTo(503);
        assertThat(errorCode(busy)).isEqualTo("channels_busy");
        assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(heldAlone.requests()).as("the busy request reached no upstream").isEqualTo(2);

        heldAlone.openGate();

        assertThat(Stream.concat(holding.stream(), contending.stream()).map(CompletableFuture::join)
                .map(HttpResponse::statusCode)).containsExactlyInAnyOrder(200, 200, 200, 503);
        assertThat(heldAlone.requests()).isEqualTo(3);
        assertThat(gateway.chat("alone", "held").statusCode()).as("busy did not take the channel out").isEqualTo(200);
    }

    @Test
    void aChannelWithEveryConnectionAndWaitingPlaceTaken_failsOverToTheNextChannel() {
        List<CompletableFuture<HttpResponse<String>>> holding = List.of(
                gateway.chatAsync("spill", "held"), gateway.chatAsync("spill", "held"));
        Await.until("first's two connections taken", Duration.ofSeconds(5), () -> heldSpill.requests() == 2);
        List<CompletableFuture<HttpResponse<String>>> more = List.of(
                gateway.chatAsync("spill", "held"), gateway.chatAsync("spill", "held"));
        Await.until("one waiting at first, one sent to second", Duration.ofSeconds(5), () -> heldSpill.requests() == 3);

        heldSpill.openGate();

        assertThat(Stream.concat(holding.stream(), more.stream()).map(CompletableFuture::join)
                .map(HttpResponse::statusCode)).containsOnly(200);
        Await.until("four usage records", Duration.ofSeconds(5), () -> spillRecords().size() == 4);
        assertThat(spillRecords()).extracting(UsageRecord::channel)
                .containsExactlyInAnyOrder("first", "first", "first", "second");
    }

    private static List<UsageRecord> spillRecords() {
        return gateway.metering.records.stream().filter(r -> List.of("first", "second").contains(r.channel())).toList();
    }
}
