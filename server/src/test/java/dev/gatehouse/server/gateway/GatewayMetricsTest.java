package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.gateway.api.GatewayCredentials;
import dev.gatehouse.server.gateway.metering.UsageRecord;
import dev.gatehouse.server.gateway.metrics.UpstreamFailure;
import dev.gatehouse.server.testing.PrometheusScrape;
import dev.gatehouse.server.tokens.MintRequest;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's per-channel metrics as Prometheus scrapes them: requests driven through a real
 * Gatehouse to real fake upstreams, then {@code GET /metrics} parsed. Each test has channels of its
 * own, so it can assert every series of them exactly whatever ran before.
 */
class GatewayMetricsTest {
    static final String UPSTREAM_KEY = "upstream-key-metrics-0123456789";
    static final String UP = "gatehouse_gateway_channel_up";
    static final String FIRST_BYTES = "gatehouse_gateway_upstream_first_byte_seconds_count";
    static final String DURATIONS = "gatehouse_gateway_request_duration_seconds_count";

    @TempDir
    static Path dataDir;

    static Vertx vertx;
    static FakeUpstream ok;
    static FakeUpstream fail401;
    static FakeUpstream fail429;
    static FakeUpstream fail500;
    static FakeUpstream fail503;
    static TestMetering metering = new TestMetering();
    static GatehouseConfig config;
    static Gatehouse gatehouse;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        ok = FakeUpstream.start(vertx);
        fail401 = FakeUpstream.start(vertx, 401);
        fail429 = FakeUpstream.start(vertx, 429);
        fail500 = FakeUpstream.start(vertx, 500);
        fail503 = FakeUpstream.start(vertx, 503);
        Path keyFile = Files.writeString(dataDir.resolve("ok-key"), UPSTREAM_KEY + "\n");
        JsonArray channels = new JsonArray()
                .add(channel("json-a", "ok", ok.baseUrl(), 0, "json").put("apiKeyFile", keyFile.toString()))
                .add(channel("stream-a", "ok", ok.baseUrl(), 0, "sse"))
                .add(channel("reset-a", "ok", ok.baseUrl(), 0, "sse-reset"))
                .add(channel("gone-a", "ok", ok.baseUrl(), 0, "sse-endless"))
                .add(channel("slow-a", "ok", ok.baseUrl(), 0, "hang", "sse-stall"))
                .add(channel("fo-down", "failover", FakeUpstream.unreachableBaseUrl(), 0, "json"))
                .add(channel("fo-401", "failover", fail401.baseUrl(), 1, "json"))
                .add(channel("fo-500", "failover", fail500.baseUrl(), 2, "json"))
                .add(channel("fo-ok", "failover", ok.baseUrl(), 3, "json"))
                .add(channel("limited-a", "limited", fail429.baseUrl(), 0, "json"))
                .add(channel("down-a", "down", fail503.baseUrl(), 0, "json"));
        config = TestGatehouse.config(dataDir, Map.of(
                "GATEHOUSE_GATEWAY_CHANNELS", channels.encode(),
                "GATEHOUSE_GATEWAY_DEFAULT_PROVIDER", "ok",
                "GATEHOUSE_GATEWAY_FIRST_BYTE_TIMEOUT", "1s",
                "GATEHOUSE_GATEWAY_IDLE_TIMEOUT", "1s",
                "GATEHOUSE_GATEWAY_CHANNEL_FAILURE_THRESHOLD", "3",
                "GATEHOUSE_GATEWAY_CHANNEL_PROBE_INTERVAL", "1h"));
        gatehouse = Gatehouse.start(config, metering.parts());
        token = SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), Clock.systemUTC()).mint(new MintRequest(
                TokenType.PAT, "metrics", List.of(GatewayCredentials.AUDIENCE), Duration.ofHours(1),
                TestGateway.patClaims("acme"))).token();
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
        vertx.close().await();
    }

    @Test
    void completedRequest_countedWithItsModelStatusAndTokens_bothLatenciesTimed() {
        ChatCompletion completion = sdk().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("json").addUserMessage("hi").build());

        assertThat(completion.choices().get(0).message().content()).hasValue("Hello!");
        assertThat(metricsOf("json-a")).isEqualTo(completedOnce("json", 7, 2));
    }

    @Test
    void streamWithUsage_tokensFromTheUsageEvent() {
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = sdk().chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("sse").addUserMessage("hi").build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append)));
        }

        assertThat(text.toString()).isEqualTo("Hello");
        assertThat(metricsOf("stream-a")).isEqualTo(completedOnce("sse", 5, 3));
    }

    @Test
    void connectError401And500_eachFailedTryCountedOnItsChannel_requestOnTheChannelThatServedIt() {
        HttpResponse<String> response = post("/v1/chat/completions?provider=failover", "{\"model\":\"json\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(metricsOf("fo-down")).isEqualTo(with(quiet("json"), errors(UpstreamFailure.CONNECT), 1.0));
        assertThat(metricsOf("fo-401")).isEqualTo(with(quiet("json"), errors(UpstreamFailure.AUTH_REFUSED), 1.0));
        assertThat(metricsOf("fo-500")).isEqualTo(with(quiet("json"), errors(UpstreamFailure.STATUS_5XX), 1.0));
        assertThat(metricsOf("fo-ok")).isEqualTo(completedOnce("json", 7, 2));
    }

    @Test
    void upstream429OnTheOnlyChannel_clientGets503_failedRequestAndStatus429Error() {
        HttpResponse<String> response = post("/v1/chat/completions?provider=limited", "{\"model\":\"json\"}");

        assertThat(response.statusCode()).isEqualTo(503);
        Map<String, Double> expected = quiet("json");
        expected.put(requests("json", "failed", "5xx"), 1.0);
        expected.put(errors(UpstreamFailure.STATUS_429), 1.0);
        expected.put(DURATIONS, 1.0);
        assertThat(metricsOf("limited-a")).isEqualTo(expected);
    }

    @Test
    void upstreamResetsMidStream_abortedRequest_resetError_deliveredTokensAsMetered() throws Exception {
        HttpResponse<InputStream> response = streaming("{\"model\":\"sse-reset\",\"stream\":true}");

        assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
                .endsWith("\"code\":\"upstream_stream_broken\"}}\n\n");
        UsageRecord record = awaitRecord("sse-reset");
        assertThat(record.completionTokens()).isEqualTo(2);
        Map<String, Double> expected = quiet("sse-reset");
        expected.put(requests("sse-reset", "aborted", "5xx"), 1.0);
        expected.put(errors(UpstreamFailure.RESET_MID_STREAM), 1.0);
        expected.put(tokens("sse-reset", "prompt"), (double) record.promptTokens());
        expected.put(tokens("sse-reset", "completion"), 2.0);
        expected.put(FIRST_BYTES, 1.0);
        expected.put(DURATIONS, 1.0);
        awaitMetrics("reset-a", expected);
    }

    @Test
    void clientDisconnectsMidStream_abortedWith4xx_noUpstreamError() throws Exception {
        HttpResponse<InputStream> response = streaming("{\"model\":\"sse-endless\",\"stream\":true}");
        readFirstEvent(response.body());

        response.body().close();

        UsageRecord record = awaitRecord("sse-endless");
        Map<String, Double> expected = quiet("sse-endless");
        expected.put(requests("sse-endless", "aborted", "4xx"), 1.0);
        expected.put(tokens("sse-endless", "prompt"), (double) record.promptTokens());
        expected.put(tokens("sse-endless", "completion"), (double) record.completionTokens());
        expected.put(FIRST_BYTES, 1.0);
        expected.put(DURATIONS, 1.0);
        awaitMetrics("gone-a", expected);
    }

    @Test
    void noHeadersInTime_andSilenceMidStream_countedAsFirstByteAndIdleTimeouts() throws Exception {
        HttpResponse<String> hang = post("/v1/chat/completions", "{\"model\":\"hang\"}");
        HttpResponse<InputStream> stall = streaming("{\"model\":\"sse-stall\",\"stream\":true}");
        readFirstEvent(stall.body());
        assertThat(new String(stall.body().readAllBytes(), StandardCharsets.UTF_8))
                .endsWith("\"code\":\"upstream_timeout\"}}\n\n");

        assertThat(hang.statusCode()).isEqualTo(504);
        UsageRecord stalled = awaitRecord("sse-stall");
        Map<String, Double> expected = quiet("hang", "sse-stall");
        expected.put(requests("hang", "failed", "5xx"), 1.0);
        expected.put(requests("sse-stall", "aborted", "5xx"), 1.0);
        expected.put(errors(UpstreamFailure.FIRST_BYTE_TIMEOUT), 1.0);
        expected.put(errors(UpstreamFailure.IDLE_TIMEOUT), 1.0);
        expected.put(tokens("sse-stall", "prompt"), (double) stalled.promptTokens());
        expected.put(tokens("sse-stall", "completion"), 1.0);
        expected.put(FIRST_BYTES, 1.0);
        expected.put(DURATIONS, 2.0);
        awaitMetrics("slow-a", expected);
    }

    @Test
    void channelFailingRepeatedly_upGoesTo0_andRequestsRefusedBeforeRoutingAreNotCounted() {
        for (int i = 0; i < 3; i++) {
            assertThat(post("/v1/chat/completions?provider=down", "{\"model\":\"json\"}").statusCode()).isEqualTo(502);
        }
        Map<String, Double> expected = quiet("json");
        expected.put(UP, 0.0);
        expected.put(requests("json", "failed", "5xx"), 3.0);
        expected.put(errors(UpstreamFailure.STATUS_5XX), 3.0);
        expected.put(DURATIONS, 3.0);
        assertThat(metricsOf("down-a")).isEqualTo(expected);

        assertThat(post("/v1/chat/completions?provider=down", "{\"model\":\"json\"}").statusCode()).isEqualTo(503);

        assertThat(metricsOf("down-a")).isEqualTo(expected);
    }

    @Test
    void scrape_fixedLatencyBuckets_providerLabel_noVertxClientMetrics_noSecrets() {
        String text = PrometheusScrape.fetchText(gatehouse.managementUrl());
        List<PrometheusScrape.Sample> jsonA = PrometheusScrape.parse(text).withLabel("channel", "json-a");

        List<Double> buckets = List.of(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, Double.POSITIVE_INFINITY);
        for (String timer : List.of("gatehouse_gateway_upstream_first_byte_seconds", "gatehouse_gateway_request_duration_seconds")) {
            assertThat(jsonA.stream().filter(sample -> sample.name().equals(timer + "_bucket"))
                    .map(sample -> Double.parseDouble(sample.labels().get("le").replace("Inf", "Infinity"))))
                    .as(timer).containsExactlyInAnyOrderElementsOf(buckets);
        }
        assertThat(jsonA).allSatisfy(sample -> assertThat(sample.labels()).containsEntry("provider", "ok"));
        assertThat(text).contains("vertx_http_server_requests_total").doesNotContain("vertx_http_client");
        assertThat(text).doesNotContain(UPSTREAM_KEY).doesNotContain(token);
    }

    // --- helpers ----------------------------------------------------------------------------------

    static JsonObject channel(String name, String provider, String baseUrl, int priority, String... models) {
        return GatewayRelayTest.channel(name, provider, baseUrl, priority).put("models", new JsonArray(List.of(models)));
    }

    /** The series of a channel that has seen nothing: in, no errors, no tokens of its models, nothing timed. */
    static Map<String, Double> quiet(String... models) {
        Map<String, Double> series = new TreeMap<>();
        series.put(UP, 1.0);
        for (UpstreamFailure reason : UpstreamFailure.values()) {
            series.put(errors(reason), 0.0);
        }
        for (String model : models) {
            series.put(tokens(model, "prompt"), 0.0);
            series.put(tokens(model, "completion"), 0.0);
        }
        series.put(FIRST_BYTES, 0.0);
        series.put(DURATIONS, 0.0);
        return series;
    }

    /** The series of a channel after one completed request of {@code model} and nothing else. */
    static Map<String, Double> completedOnce(String model, double promptTokens, double completionTokens) {
        Map<String, Double> series = quiet(model);
        series.put(requests(model, "completed", "2xx"), 1.0);
        series.put(tokens(model, "prompt"), promptTokens);
        series.put(tokens(model, "completion"), completionTokens);
        series.put(FIRST_BYTES, 1.0);
        series.put(DURATIONS, 1.0);
        return series;
    }

    static Map<String, Double> with(Map<String, Double> series, String key, double value) {
        series.put(key, value);
        return series;
    }

    static String requests(String model, String outcome, String status) {
        return "gatehouse_gateway_requests_total{model=\"" + model + "\",outcome=\"" + outcome + "\",status=\"" + status + "\"}";
    }

    static String tokens(String model, String type) {
        return "gatehouse_gateway_tokens_total{model=\"" + model + "\",type=\"" + type + "\"}";
    }

    static String errors(UpstreamFailure reason) {
        return "gatehouse_gateway_upstream_errors_total{reason=\"" + reason.value() + "\"}";
    }

    /**
     * Every gatehouse series of {@code channel} with its value, keyed by name and labels without
     * {@code channel} and {@code provider}; timer sums, maxima and buckets are left out (they vary).
     */
    static Map<String, Double> metricsOf(String channel) {
        PrometheusScrape scrape = PrometheusScrape.parse(PrometheusScrape.fetchText(gatehouse.managementUrl()));
        Map<String, Double> series = new TreeMap<>();
        for (PrometheusScrape.Sample sample : scrape.withLabel("channel", channel)) {
            if (!sample.name().startsWith("gatehouse_") || sample.name().endsWith("_sum")
                    || sample.name().endsWith("_max") || sample.name().endsWith("_bucket")) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>(sample.labels());
            labels.remove("channel");
            labels.remove("provider");
            String key = labels.isEmpty() ? sample.name() : sample.name() + labels.entrySet().stream()
                    .map(label -> label.getKey() + "=\"" + label.getValue() + "\"")
                    .collect(Collectors.joining(",", "{", "}"));
            series.put(key, sample.value());
        }
        return series;
    }

    static void awaitMetrics(String channel, Map<String, Double> expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!metricsOf(channel).equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(metricsOf(channel)).isEqualTo(expected);
    }

    static UsageRecord awaitRecord(String model) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (metering.records.stream().noneMatch(r -> model.equals(r.model())) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return metering.records.stream().filter(r -> model.equals(r.model())).findFirst().orElseThrow();
    }

    static OpenAIClient sdk() {
        return OpenAIOkHttpClient.builder().baseUrl(gatehouse.localUrl() + "/v1").apiKey(token).maxRetries(0).build();
    }

    static HttpResponse<String> post(String path, String body) {
        return TestGatehouse.send(HttpRequest.newBuilder(gatehouse.localUrl().resolve(path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static HttpResponse<InputStream> streaming(String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(gatehouse.localUrl().resolve("/v1/chat/completions"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    static void readFirstEvent(InputStream in) throws IOException {
        assertThat(GatewayRelayTest.readUntil(in, "\n\n")).startsWith("data: ").endsWith("\n\n");
    }
}
