package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.gatehouse.server.testing.PrometheusScrape;
import dev.gatehouse.server.testing.PrometheusScrape.Sample;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /admin/channels} on a real gateway with real upstreams: traffic sent through it, a
 * channel taken out by its failing upstream, and every figure compared with what {@code /metrics}
 * says for the same channel.
 */
class ChannelStatusApiTest {
    private static final String ADMIN = "admin-secret-for-channel-status-0123456789";
    private static final String UPSTREAM_KEY = "upstream-key-never-shown-0123456789";
    private static final String USERINFO = "operator:password-in-the-url-0123";
    private static final Set<String> CHANNEL_FIELDS = Set.of("name", "provider", "base_url", "protocols", "models",
            "state", "since", "requests", "upstream_errors", "tokens", "first_byte_seconds", "request_duration_seconds");

    @TempDir
    Path dataDir;

    private Vertx vertx;
    private FakeUpstream steady;
    private FakeUpstream failing;
    private Path keyFile;
    private final AtomicReference<JsonArray> channels = new AtomicReference<>();
    private TestGateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        steady = FakeUpstream.start(vertx);
        failing = FakeUpstream.start(vertx);
        keyFile = Files.writeString(dataDir.resolve("upstream-key"), UPSTREAM_KEY + "\n");
        String withUserinfo = steady.baseUrl().replace("http://", "http://" + USERINFO + "@");
        channels.set(new JsonArray()
                .add(TestGateway.channel("steady-a", "steady", steady, "json")
                        .put("apiKeyFile", keyFile.toString()))
                .add(TestGateway.channel("failing-a", "failing", failing, "json"))
                .add(TestGateway.channel("idle-a", "idle", steady, "json").put("baseUrl", withUserinfo)
                        .put("aliases", new JsonObject().put("fast", "json-2025-11"))
                        .put("protocols", new JsonArray().add("openai.chat").add("anthropic.messages"))));
        gateway = TestGateway.startReloadable(dataDir, channels::get, Map.of("NEWAPI_ADMIN_SECRET", ADMIN,
                "GATEHOUSE_GATEWAY_CHANNEL_FAILURE_THRESHOLD", "2",
                "GATEHOUSE_GATEWAY_CHANNEL_PROBE_INTERVAL", "1m"));
    }

    @AfterEach
    void stop() {
        gateway.close();
        steady.close();
        failing.close();
        vertx.close().await();
    }

    @Test
    void afterTrafficAndAChannelTakenOut_everyFigureIsWhatMetricsSays_inConfigurationOrder() {
        for (int i = 0; i < 3; i++) {
            assertThat(gateway.chat("steady", "json").statusCode()).isEqualTo(200);
        }
        failing.failWith(503);
        Instant beforeOut = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int i = 0; i < 2; i++) {
            assertThat(gateway.chat("failing", "json").statusCode()).isEqualTo(502);
        }
        Instant afterOut = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        assertThat(TestGateway.errorCode(gateway.chat("failing", "json"))).isEqualTo("channels_unavailable");

        HttpResponse<String> response = gateway.admin("GET", "/admin/channels", ADMIN);
        PrometheusScrape metrics = gateway.metrics();

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonObject body = new JsonObject(response.body());
        assertThat(Instant.parse(body.getString("generated_at"))).isAfterOrEqualTo(afterOut);
        List<JsonObject> listed = objects(body.getJsonArray("channels"));
        assertThat(listed).extracting(channel -> channel.getString("name"))
                .containsExactly("steady-a", "failing-a", "idle-a");
        listed.forEach(channel -> assertSameAsMetrics(channel, metrics));

        JsonObject steadyA = listed.get(0);
        assertThat(steadyA.fieldNames()).isEqualTo(CHANNEL_FIELDS);
        assertThat(steadyA.getString("provider")).isEqualTo("steady");
        assertThat(steadyA.getString("base_url")).isEqualTo(steady.baseUrl());
        assertThat(steadyA.getJsonArray("protocols").getList())
                .containsExactly("openai.chat", "openai.completions", "openai.embeddings");
        assertThat(steadyA.getJsonArray("models").getList()).containsExactly("json");
        assertThat(steadyA.getString("state")).isEqualTo("in");
        assertThat(steadyA.getValue("since")).isNull();
        assertThat(steadyA.getJsonObject("requests")).isEqualTo(new JsonObject()
                .put("completed", 3).put("aborted", 0).put("failed", 0).put("total", 3));
        assertThat(steadyA.getJsonObject("tokens").getLong("prompt")).isPositive();
        assertThat(steadyA.getJsonObject("first_byte_seconds").getLong("count")).isEqualTo(3);
        assertThat(steadyA.getJsonObject("first_byte_seconds").getDouble("mean")).isPositive();
        assertThat(steadyA.getJsonObject("request_duration_seconds").getLong("count")).isEqualTo(3);

        JsonObject failingA = listed.get(1);
        assertThat(failingA.getString("state")).isEqualTo("out");
        assertThat(Instant.parse(failingA.getString("since"))).isBetween(beforeOut, afterOut);
        assertThat(failingA.getJsonObject("requests")).isEqualTo(new JsonObject()
                .put("completed", 0).put("aborted", 0).put("failed", 2).put("total", 2));
        assertThat(failingA.getJsonObject("upstream_errors").getLong("status_5xx")).isEqualTo(2);
        assertThat(failingA.getJsonObject("first_byte_seconds"))
                .isEqualTo(new JsonObject().put("count", 0).put("mean", 0.0).put("max", 0.0));

        JsonObject idleA = listed.get(2);
        assertThat(idleA.fieldNames()).containsAll(CHANNEL_FIELDS).contains("aliases").hasSize(CHANNEL_FIELDS.size() + 1);
        assertThat(idleA.getString("base_url")).as("no userinfo").isEqualTo(steady.baseUrl());
        assertThat(idleA.getJsonObject("aliases")).isEqualTo(new JsonObject().put("fast", "json-2025-11"));
        assertThat(idleA.getJsonArray("protocols").getList()).containsExactly("openai.chat", "anthropic.messages");
        assertThat(idleA.getJsonObject("requests").getLong("total")).isZero();
    }

    @Test
    void theBodyHoldsNoSecret_neitherKeyNorKeySourceNorUserinfoNorTheAdminSecret() {
        assertThat(gateway.chat("steady", "json").statusCode()).isEqualTo(200);
        assertThat(steady.seenAt("/v1/chat/completions")).singleElement()
                .satisfies(seen -> assertThat(seen.authorization()).isEqualTo("Bearer " + UPSTREAM_KEY));

        HttpResponse<String> response = gateway.admin("GET", "/admin/channels", ADMIN);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).doesNotContain(UPSTREAM_KEY, keyFile.toString(), "upstream-key", USERINFO,
                "password", "apiKey", "api_key", ADMIN);
    }

    @Test
    void withoutTheAdminSecret_401_andNoChannelIsShown() {
        HttpResponse<String> missing = gateway.admin("GET", "/admin/channels", "");
        HttpResponse<String> wrong = gateway.admin("GET", "/admin/channels", ADMIN + "x");
        HttpResponse<String> gatewayToken = gateway.admin("GET", "/admin/channels", gateway.token());

        assertThat(List.of(missing, wrong, gatewayToken)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.body()).doesNotContain("steady-a", "failing-a");
        });
        assertThat(new JsonObject(missing.body()).getString("code")).isEqualTo("missing_token");
        assertThat(new JsonObject(wrong.body()).getString("code")).isEqualTo("invalid_admin_secret");
        assertThat(new JsonObject(gatewayToken.body()).getString("code")).isEqualTo("invalid_admin_secret");
    }

    @Test
    void anotherMethod_405_problemJson() {
        HttpResponse<String> post = gateway.admin("POST", "/admin/channels", ADMIN);

        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(new JsonObject(post.body()).getString("code")).isEqualTo("method_not_allowed");
    }

    @Test
    void afterAReload_theListIsTheNewChannels_aKeptChannelKeepsItsFigures() {
        assertThat(gateway.chat("steady", "json").statusCode()).isEqualTo(200);
        channels.set(new JsonArray()
                .add(TestGateway.channel("added-a", "added", failing, "json"))
                .add(channels.get().getJsonObject(0)));

        HttpResponse<String> reload = gateway.admin("POST", "/admin/channels/reload", ADMIN);
        HttpResponse<String> response = gateway.admin("GET", "/admin/channels", ADMIN);

        assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
        List<JsonObject> listed = objects(new JsonObject(response.body()).getJsonArray("channels"));
        assertThat(listed).extracting(channel -> channel.getString("name")).containsExactly("added-a", "steady-a");
        assertThat(listed.get(0).getJsonObject("requests").getLong("total")).isZero();
        assertThat(listed.get(1).getJsonObject("requests").getLong("total")).isEqualTo(1);
        PrometheusScrape metrics = gateway.metrics();
        listed.forEach(channel -> assertSameAsMetrics(channel, metrics));
    }

    /** Every figure of {@code channel} equals its series in {@code metrics}. */
    private static void assertSameAsMetrics(JsonObject channel, PrometheusScrape metrics) {
        String name = channel.getString("name");
        List<Sample> series = metrics.withLabel("channel", name).stream()
                .filter(sample -> channel.getString("provider").equals(sample.labels().get("provider"))).toList();
        JsonObject requests = channel.getJsonObject("requests");
        for (String outcome : List.of("completed", "aborted", "failed")) {
            assertThat(requests.getLong(outcome)).as("%s requests %s", name, outcome)
                    .isEqualTo(Math.round(sum(series, "gatehouse_gateway_requests_total", "outcome", outcome)));
        }
        assertThat(requests.getLong("total")).as("%s requests", name)
                .isEqualTo(Math.round(sum(series, "gatehouse_gateway_requests_total", null, null)));
        Map<String, Long> errors = new TreeMap<>();
        series.stream().filter(sample -> sample.name().equals("gatehouse_gateway_upstream_errors_total"))
                .forEach(sample -> errors.put(sample.labels().get("reason"), Math.round(sample.value())));
        Map<String, Long> shownErrors = new TreeMap<>();
        JsonObject upstreamErrors = channel.getJsonObject("upstream_errors");
        upstreamErrors.fieldNames().forEach(reason -> shownErrors.put(reason, upstreamErrors.getLong(reason)));
        assertThat(shownErrors).as("%s upstream errors", name).isNotEmpty().isEqualTo(errors);
        for (String type : List.of("prompt", "completion")) {
            assertThat(channel.getJsonObject("tokens").getLong(type)).as("%s %s tokens", name, type)
                    .isEqualTo(Math.round(sum(series, "gatehouse_gateway_tokens_total", "type", type)));
        }
        assertSameTimer(name, channel.getJsonObject("first_byte_seconds"), series,
                "gatehouse_gateway_upstream_first_byte_seconds");
        assertSameTimer(name, channel.getJsonObject("request_duration_seconds"), series,
                "gatehouse_gateway_request_duration_seconds");
        assertThat(sum(series, "gatehouse_gateway_channel_up", null, null)).as("%s up", name)
                .isEqualTo(channel.getString("state").equals("in") ? 1.0 : 0.0);
    }

    private static void assertSameTimer(String channel, JsonObject shown, List<Sample> series, String timer) {
        long count = Math.round(sum(series, timer + "_count", null, null));
        assertThat(shown.getLong("count")).as("%s %s count", channel, timer).isEqualTo(count);
        double mean = count == 0 ? 0 : sum(series, timer + "_sum", null, null) / count;
        assertThat(shown.getDouble("mean")).as("%s %s mean", channel, timer).isCloseTo(mean, within(1e-9));
        assertThat(shown.getDouble("max")).as("%s %s max", channel, timer)
                .isCloseTo(sum(series, timer + "_max", null, null), within(1e-9));
    }

    /** The sum of {@code series} named {@code name}, only those with {@code label} = {@code value} when given. */
    private static double sum(List<Sample> series, String name, String label, String value) {
        return series.stream().filter(sample -> sample.name().equals(name))
                .filter(sample -> label == null || value.equals(sample.labels().get(label)))
                .mapToDouble(Sample::value).sum();
    }

    private static List<JsonObject> objects(JsonArray array) {
        return array.stream().map(JsonObject.class::cast).toList();
    }
}
