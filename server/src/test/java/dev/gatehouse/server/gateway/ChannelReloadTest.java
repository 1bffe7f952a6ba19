package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.config.ConfigException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /admin/channels/reload on a real gateway with real upstreams. */
class ChannelReloadTest {
    private static final String ADMIN = "admin-secret-for-reload-tests-0123456789";

    @TempDir
    Path dataDir;

    private Vertx vertx;
    private FakeUpstream first;
    private FakeUpstream second;
    private final AtomicReference<JsonArray> channels = new AtomicReference<>();
    private TestGateway gateway;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        first = FakeUpstream.start(vertx);
        second = FakeUpstream.start(vertx);
        channels.set(new JsonArray().add(TestGateway.channel("one", "fake", first, "json", "sse-3s")));
        // A removed channel's requests get server.shutdownTimeout to finish: longer than the 3 s stream.
        gateway = TestGateway.startReloadable(dataDir, channels::get, Map.of("NEWAPI_ADMIN_SECRET", ADMIN,
                "GATEHOUSE_SERVER_SHUTDOWN_TIMEOUT", "10s"));
    }

    @AfterEach
    void stop() {
        gateway.close();
        first.close();
        second.close();
        vertx.close().await();
    }

    @Test
    void reload_addsAChannel_newRequestsReachIt() {
        assertThat(TestGateway.errorCode(gateway.chat("fake", "other"))).isEqualTo("model_not_found");
        channels.set(channels.get().copy().add(TestGateway.channel("two", "fake", second, "other")));

        HttpResponse<String> reload = gateway.admin("POST", "/admin/channels/reload", ADMIN);

        assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
        assertThat(new JsonObject(reload.body())).isEqualTo(new JsonObject()
                .put("added", new JsonArray().add("two")).put("removed", new JsonArray())
                .put("changed", new JsonArray()).put("channels", new JsonArray().add("one").add("two")));
        assertThat(gateway.chat("fake", "other").statusCode()).isEqualTo(404).as("the fake's own 404: it was reached");
        assertThat(second.requests()).isEqualTo(1);
        assertThat(gateway.chat("fake", "json").statusCode()).isEqualTo(200);
        assertThat(gateway.metrics().withLabel("channel", "two")).isNotEmpty();
    }

    @Test
    void reload_removesAChannelWithAStreamInFlight_theStreamCompletes_newRequestsDoNotReachIt() {
        CompletableFuture<HttpResponse<String>> streaming = gateway.chatAsync("fake", "sse-3s");
        Await.until("the stream started upstream", Duration.ofSeconds(5), () -> first.requests() == 1);
        channels.set(new JsonArray().add(TestGateway.channel("two", "fake", second, "json")));

        HttpResponse<String> reload = gateway.admin("POST", "/admin/channels/reload", ADMIN);

        assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
        assertThat(new JsonObject(reload.body()).getJsonArray("removed").getList()).containsExactly("one");
        assertThat(streaming).isNotDone();
        assertThat(gateway.chat("fake", "json").statusCode()).isEqualTo(200);
        assertThat(first.requests()).as("the new request went to the new channel").isEqualTo(1);
        assertThat(TestGateway.errorCode(gateway.chat("fake", "sse-3s"))).isEqualTo("model_not_found");
        HttpResponse<String> streamed = streaming.join();
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).endsWith("data: [DONE]\n\n");
        // The drain waits for the stream's connection (at most the 10 s shutdown timeout above); on a loaded
        // 2-core machine that can take a while. The series must then be gone for good (ModelMetersTest).
        Await.until("the drained channel's series are gone", Duration.ofSeconds(15),
                () -> gateway.metrics().withLabel("channel", "one").isEmpty());
    }

    @Test
    void reload_ofABadConfig_isRefusedWhole_withTheConfigCheckMessage_andTheOldChannelsServe() {
        JsonArray bad = new JsonArray()
                .add(TestGateway.channel("two", "fake", second, "json"))
                .add(new JsonObject().put("name", "three").put("provider", "fake").put("baseUrl", "ftp://x")
                        .put("models", new JsonArray().add("json")));
        channels.set(bad);
        String expected = catchThrowableOfType(ConfigException.class, () -> TestGatehouse.config(dataDir,
                Map.of("GATEHOUSE_GATEWAY_CHANNELS", bad.encode()))).getMessage();

        HttpResponse<String> reload = gateway.admin("POST", "/admin/channels/reload", ADMIN);

        assertThat(reload.statusCode()).isEqualTo(400);
        JsonObject body = new JsonObject(reload.body());
        assertThat(body.getString("code")).isEqualTo("invalid_config");
        assertThat(body.getString("detail")).isEqualTo(expected).contains("ftp://x");
        assertThat(gateway.chat("fake", "json").statusCode()).isEqualTo(200);
        assertThat(first.requests()).isEqualTo(1);
        assertThat(second.requests()).isZero();
    }

    @Test
    void reload_withoutTheAdminSecret_isRefused_andChangesNothing() {
        channels.set(new JsonArray().add(TestGateway.channel("two", "fake", second, "json")));

        assertThat(gateway.admin("POST", "/admin/channels/reload", ADMIN + "x").statusCode()).isEqualTo(401);

        assertThat(gateway.chat("fake", "json").statusCode()).isEqualTo(200);
        assertThat(first.requests()).isEqualTo(1);
        assertThat(second.requests()).isZero();
    }

    @Test
    void everyReloadAndRefusal_isAudited_withNamesAndNoKey() {
        channels.set(new JsonArray().add(TestGateway.channel("one", "fake", first, "json"))
                .add(TestGateway.channel("two", "fake", second, "json").put("apiKeyEnv", "NO_SUCH_VARIABLE_SET")));
        assertThat(gateway.admin("POST", "/admin/channels/reload", ADMIN).statusCode()).isEqualTo(400);
        channels.set(new JsonArray().add(TestGateway.channel("one", "fake", first, "json").put("weight", 3))
                .add(TestGateway.channel("two", "fake", second, "json")));
        assertThat(gateway.admin("POST", "/admin/channels/reload", ADMIN).statusCode()).isEqualTo(200);

        JsonObject reloaded = onlyEvent("gateway.channels.reloaded");
        assertThat(reloaded.getString("outcome")).isEqualTo("success");
        assertThat(reloaded.getJsonObject("actor").getString("subject")).isEqualTo("admin");
        assertThat(reloaded.getJsonObject("detail")).isEqualTo(new JsonObject().put("added", new JsonArray().add("two"))
                .put("removed", new JsonArray()).put("changed", new JsonArray().add("one")));
        JsonObject refused = onlyEvent("gateway.channels.reload_refused");
        assertThat(refused.getString("outcome")).isEqualTo("refused");
        assertThat(refused.getJsonObject("detail").getString("reason")).contains("two");
    }

    private JsonObject onlyEvent(String action) {
        HttpResponse<String> audit = gateway.admin("GET", "/admin/audit?action=" + action, ADMIN);
        assertThat(audit.statusCode()).as(audit.body()).isEqualTo(200);
        List<Object> events = new JsonObject(audit.body()).getJsonArray("events").getList();
        assertThat(events).hasSize(1);
        return new JsonObject(new JsonObject(audit.body()).getJsonArray("events").getJsonObject(0).encode());
    }
}
