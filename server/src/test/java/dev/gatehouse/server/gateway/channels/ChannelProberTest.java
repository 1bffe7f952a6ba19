package dev.gatehouse.server.gateway.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.gateway.Protocol;
import dev.gatehouse.server.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpServer;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The prober against a real HTTP server that answers {@code GET /v1/status/<code>} with that status,
 * {@code /v1/hang} never and any other path 500, probing every 50 ms through a client that stays
 * open. Where a test checks that something did not happen, a channel probed at a path of its own
 * ({@code /clock-...}, always failing) shows that enough time passed.
 */
class ChannelProberTest {
    static final Duration INTERVAL = Duration.ofMillis(50);

    static Vertx vertx;
    static HttpServer upstream;
    static HttpClientAgent client;
    static final Map<String, AtomicInteger> probes = new ConcurrentHashMap<>();
    static final Map<String, String> authorizations = new ConcurrentHashMap<>();
    static final Map<String, String> apiKeys = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        upstream = vertx.createHttpServer().requestHandler(request -> {
            String path = request.path().substring("/v1".length());
            probes.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            authorizations.put(path, String.valueOf(request.getHeader("Authorization")));
            apiKeys.put(path, request.getHeader("x-api-key") + " " + request.getHeader("anthropic-version"));
            if (path.startsWith("/status/")) {
                request.response().setStatusCode(Integer.parseInt(path.substring("/status/".length()))).end();
            } else if (!path.equals("/hang")) {
                request.response().setStatusCode(500).end();
            }
        }).listen(0).await();
        client = vertx.createHttpClient();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 204})
    void a2xx_bringsTheChannelBack_andProbingStops(int status) {
        String path = "/status/" + status;
        try (ChannelProber prober = prober(baseUrl(), path)) {
            ChannelHealth health = takenOut(prober);

            Await.until("back in", Duration.ofSeconds(5), health::isIn);

            assertThat(probed(path)).isEqualTo(1);
            assertThat(authorizations.get(path)).isEqualTo("Bearer upstream-key");
            letThreeProbeIntervalsPass("/clock-back-" + status);
            assertThat(probed(path)).as("no probes once back").isEqualTo(1);
        }
    }

    @Test
    void anAnthropicChannel_isProbedWithItsKeyAsXApiKey() {
        ChannelConfig channel = new ChannelConfig("c", "p", URI.create(baseUrl()), Optional.empty(), Optional.empty(),
                List.of("m"), 1, 0, "/status/202", Set.of(), Map.of(), Map.of(), true, Set.of(Protocol.ANTHROPIC_MESSAGES));
        try (ChannelProber prober = new ChannelProber(vertx.getOrCreateContext(), channel, Optional.of("upstream-key"),
                client, INTERVAL, Duration.ofMillis(200))) {
            ChannelHealth health = takenOut(prober);

            Await.until("back in", Duration.ofSeconds(5), health::isIn);

            assertThat(apiKeys.get("/status/202")).isEqualTo("upstream-key 2023-06-01");
            assertThat(authorizations.get("/status/202")).isEqualTo("null");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/status/301", "/status/400", "/status/401", "/status/403", "/status/404", "/status/429",
            "/status/500", "/status/503", "/hang"})
    void anythingButA2xxInTime_keepsTheChannelOut_andItIsProbedAgain(String path) {
        try (ChannelProber prober = prober(baseUrl(), path)) {
            ChannelHealth health = takenOut(prober);

            Await.until("three probes of " + path, Duration.ofSeconds(5), () -> probed(path) >= 3);

            assertThat(health.isIn()).isFalse();
        }
    }

    @Test
    void anUpstreamThatRefusesConnections_keepsTheChannelOut() throws Exception {
        String closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
        }
        try (ChannelProber prober = prober(closed, "/models")) {
            ChannelHealth refused = takenOut(prober);

            letThreeProbeIntervalsPass("/clock-refused");

            assertThat(refused.isIn()).isFalse();
        }
    }

    @Test
    void close_stopsProbing() {
        ChannelProber stopped = prober(baseUrl(), "/stopped");
        takenOut(stopped);
        Await.until("probed", Duration.ofSeconds(5), () -> probed("/stopped") > 0);

        stopped.close();
        int atClose = probed("/stopped");
        letThreeProbeIntervalsPass("/clock-close");

        assertThat(probed("/stopped")).as("at most the probe in flight at close").isLessThanOrEqualTo(atClose + 1);
    }

    private static ChannelProber prober(String baseUrl, String probePath) {
        ChannelConfig channel = new ChannelConfig("c", "p", URI.create(baseUrl), Optional.empty(), Optional.empty(),
                List.of("m"), 1, 0, probePath, Set.of(), Map.of(), Map.of(), true);
        return new ChannelProber(vertx.getOrCreateContext(), channel, Optional.of("upstream-key"), client, INTERVAL,
                Duration.ofMillis(200));
    }

    private static ChannelHealth takenOut(ChannelProber prober) {
        ChannelHealth health = new ChannelHealth("c", 1, Duration.ofMinutes(1), System::nanoTime, Clock.systemUTC(),
                prober);
        health.failure("status_5xx");
        assertThat(health.isIn()).isFalse();
        return health;
    }

    private static void letThreeProbeIntervalsPass(String clockPath) {
        try (ChannelProber clock = prober(baseUrl(), clockPath)) {
            takenOut(clock);
            Await.until("three probes of " + clockPath, Duration.ofSeconds(5), () -> probed(clockPath) >= 3);
        }
    }

    private static int probed(String path) {
        return probes.getOrDefault(path, new AtomicInteger()).get();
    }

    private static String baseUrl() {
        return "http://127.0.0.1:" + upstream.actualPort() + "/v1";
    }
}
