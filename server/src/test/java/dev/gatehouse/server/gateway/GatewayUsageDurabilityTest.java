package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's last step against a real Gatehouse: a response ends only when the sink says its usage
 * record is durable, is reset when the sink says it will not be, and a sink that refuses new
 * requests (the store away, {@code onStoreUnavailable: refuse}) turns them away before anything is
 * sent or recorded.
 */
class GatewayUsageDurabilityTest {
    @TempDir
    static Path dataDir;

    static Vertx vertx;
    static FakeUpstream upstream;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        upstream = FakeUpstream.start(vertx);
        gateway = TestGateway.start(dataDir, new JsonArray().add(TestGateway.channel("up", "fake", upstream, "json", "sse")),
                Map.of());
    }

    @AfterEach
    void reset() {
        gateway.metering.durability = TestMetering.RECORDED;
        gateway.metering.refusing = false;
        gateway.metering.records.clear();
        upstream.seen.clear();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
        vertx.close().await();
    }

    @Test
    void theResponseEnds_onlyOnceItsRecordIsDurable() throws Exception {
        for (String model : new String[] {"json", "sse"}) {
            CompletableFuture<Void> durable = new CompletableFuture<>();
            gateway.metering.durability = durable;

            CompletableFuture<HttpResponse<String>> response = gateway.chatAsync("fake", model);

            Thread.sleep(300);
            assertThat(gateway.metering.records).as(model + ": settled").hasSize(1);
            assertThat(response).as(model + ": not ended before its record is durable").isNotDone();
            durable.complete(null);
            HttpResponse<String> ended = response.get(5, TimeUnit.SECONDS);
            assertThat(ended.statusCode()).isEqualTo(200);
            assertThat(ended.body()).contains(model.equals("json") ? "Hello!" : "data: [DONE]");
            gateway.metering.records.clear();
        }
    }

    @Test
    void aRecordThatWillNotBeDurable_resetsTheResponse_insteadOfEndingIt() throws Exception {
        CompletableFuture<Void> durable = new CompletableFuture<>();
        gateway.metering.durability = durable;
        CompletableFuture<HttpResponse<String>> response = gateway.chatAsync("fake", "json");
        Thread.sleep(300);

        durable.completeExceptionally(new IllegalStateException("usage record dropped: spool_full"));

        assertThat(response).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class);
    }

    @Test
    void aSinkRefusingNewRequests_answers503_beforeAnythingIsSentOrRecorded() {
        gateway.metering.refusing = true;
        int admitted = gateway.metering.admitted.get();

        HttpResponse<String> response = gateway.chat("fake", "json");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(TestGateway.errorCode(response)).isEqualTo("usage_store_unavailable");
        assertThat(response.headers().firstValue("Retry-After")).contains("1");
        assertThat(upstream.seen).isEmpty();
        assertThat(gateway.metering.records).isEmpty();
        assertThat(gateway.metering.admitted).hasValue(admitted);
    }
}
