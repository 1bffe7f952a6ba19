package dev.gatehouse.server.gateway;

import static dev.gatehouse.server.gateway.TestGateway.channel;
import static dev.gatehouse.server.gateway.TestGateway.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Channel health end to end: a channel failing twice within the window is taken out, Gatehouse then
 * probes it itself ({@code GET <baseUrl>/models} with the channel's key) every 200 ms while no user
 * request reaches it, and a healthy probe brings it back. A channel that is always out
 * ({@code sentinel}, probed at its own {@code probePath}) shows that time passed where a test checks
 * that something did not happen.
 */
class ChannelProbingTest {
    static final String FLAKY_KEY = "flaky-upstream-key-0123456789";
    static final Duration INTERVAL = Duration.ofMillis(200);
    static final String CHAT = "/v1/chat/completions";
    static final String MODELS = "/v1/models";

    @TempDir
    static Path dataDir;

    static Vertx vertx;
    static FakeUpstream flaky;
    static FakeUpstream steady;
    static FakeUpstream sentinel;
    static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        flaky = FakeUpstream.start(vertx);
        steady = FakeUpstream.start(vertx);
        sentinel = FakeUpstream.start(vertx, 503);
        Path keyFile = Files.writeString(dataDir.resolve("flaky-key"), FLAKY_KEY + "\n");
        gateway = TestGateway.start(dataDir, new JsonArray()
                        .add(channel("flaky", "flaky", flaky, "json").put("apiKeyFile", keyFile.toString()))
                        .add(channel("steady", "steady", steady, "json"))
                        .add(channel("sentinel", "sentinel", sentinel, "json").put("probePath", "/ping?deep=1")),
                Map.of("GATEHOUSE_GATEWAY_CHANNEL_FAILURE_THRESHOLD", "2",
                        "GATEHOUSE_GATEWAY_CHANNEL_FAILURE_WINDOW", "1m",
                        "GATEHOUSE_GATEWAY_CHANNEL_PROBE_INTERVAL", "200ms",
                        "GATEHOUSE_GATEWAY_FIRST_BYTE_TIMEOUT", "2s"));
        for (int i = 0; i < 2; i++) {
            assertThat(gateway.chat("sentinel", "json").statusCode()).isEqualTo(502);
        }
        assertThat(gateway.chat("sentinel", "json").statusCode()).as("sentinel is out").isEqualTo(503);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        vertx.close().await();
    }

    @Test
    void aChannelFailingTwiceInTheWindow_isTakenOut_probedAtTheInterval_noRequestReachesIt_backWhenItRecovers() {
        flaky.failWith(503);
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> failed = gateway.chat("flaky", "json");
            assertThat(failed.statusCode()).isEqualTo(502);
            assertThat(errorCode(failed)).isEqualTo("upstream_error");
        }
        int chats = flaky.seenAt(CHAT).size();

        HttpResponse<String> refused = gateway.chat("flaky", "json");

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(errorCode(refused)).isEqualTo("channels_unavailable");
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
        Await.until("three probes of the channel that is out", Duration.ofSeconds(5),
                () -> flaky.seenAt(MODELS).size() >= 3);
        List<FakeUpstream.Seen> probes = flaky.seenAt(MODELS);
        assertThat(probes).allSatisfy(probe -> assertThat(probe.authorization()).isEqualTo("Bearer " + FLAKY_KEY));
        for (int i = 1; i < probes.size(); i++) {
            assertThat(Duration.ofNanos(probes.get(i).receivedNanos() - probes.get(i - 1).receivedNanos()))
                    .as("time between probes").isGreaterThanOrEqualTo(INTERVAL.minusMillis(20));
        }

        flaky.recover();
        Await.until("the channel back in", Duration.ofSeconds(5), () -> gateway.chat("flaky", "json").statusCode() == 200);

        assertThat(flaky.seenAt(CHAT)).as("only the request after the channel came back").hasSize(chats + 1);
        int probesWhenBack = flaky.seenAt(MODELS).size();
        awaitSentinelProbes(3);
        assertThat(flaky.seenAt(MODELS)).as("no probes once back").hasSize(probesWhenBack);
    }

    @Test
    void aChannelThatIsIn_isNeverProbed_andProbesUseTheChannelsProbePath() {
        assertThat(gateway.chat("steady", "json").statusCode()).isEqualTo(200);

        awaitSentinelProbes(3);

        assertThat(steady.seenAt(MODELS)).isEmpty();
        assertThat(sentinel.seenAt(MODELS)).isEmpty();
        assertThat(sentinel.seenAt("/v1/ping")).hasSizeGreaterThanOrEqualTo(3);
    }

    private static void awaitSentinelProbes(int more) {
        int before = sentinel.seenAt("/v1/ping").size();
        Await.until(more + " more probes of the sentinel", Duration.ofSeconds(5),
                () -> sentinel.seenAt("/v1/ping").size() >= before + more);
    }
}
