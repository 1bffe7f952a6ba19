package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.gateway.FakeUpstream;
import dev.gatehouse.server.identity.LocalSession;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each role opens only what it needs, and roles split over processes work together through the store
 * they share: a {@code sandbox}-only Gatehouse runs sandboxes that call the gateway of an {@code
 * auth,gateway} Gatehouse elsewhere; neither serves the other's routes, and an {@code auth}-only one
 * opens no gateway (no channels, no usage writer).
 */
class RolesTest {
    @TempDir
    Path dir;

    @Test
    void sandboxRoleAlone_runsSandboxesAgainstAGatewayElsewhere_andNoRoleServesAnothersRoutes() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (TestStore store = TestDatabases.postgres(); FakeUpstream upstream = FakeUpstream.start(vertx)) {
            Map<String, String> shared = TwoReplicasOnPostgres.storeAndKek(store.config());
            Map<String, String> gatewayEnv = new HashMap<>(shared);
            gatewayEnv.put("GATEHOUSE_ROLES", "auth,gateway");
            gatewayEnv.put("GATEHOUSE_GATEWAY_CHANNELS", new JsonArray().add(new JsonObject().put("name", "fake-a")
                    .put("provider", "fake").put("baseUrl", upstream.baseUrl())
                    .put("models", new JsonArray(List.of("json")))).encode());
            GatehouseConfig gatewayConfig = TestGatehouse.config(dir.resolve("gateway"), gatewayEnv);
            try (Gatehouse gateway = Gatehouse.start(gatewayConfig)) {
                Map<String, String> sandboxEnv = new HashMap<>(shared);
                sandboxEnv.put("GATEHOUSE_ROLES", "sandbox");
                sandboxEnv.put("GATEHOUSE_GATEWAY_CHANNELS", gatewayEnv.get("GATEHOUSE_GATEWAY_CHANNELS"));
                sandboxEnv.put("GATEHOUSE_SANDBOX_GATEWAY_URL", gateway.localUrl() + "/v1");
                try (Gatehouse sandboxes = Gatehouse.start(TestGatehouse.config(dir.resolve("sandbox"), sandboxEnv))) {
                    String session = SigningTokenMinter.of(gateway.keyRing(), gatewayConfig.tokens(), Clock.systemUTC())
                            .mint(LocalSession.request("alice", "acme", List.of(), List.of(), Duration.ofHours(1),
                                    gatewayConfig.tokens().issuer())).token();

                    HttpResponse<String> created = TestGatehouse.send(HttpRequest.newBuilder(
                                    sandboxes.localUrl().resolve("/api/v1/sandbox/sessions"))
                            .header("Authorization", "Bearer " + session).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
                    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                    String id = new JsonObject(created.body()).getString("id");
                    Await.until("running", Duration.ofSeconds(30), () -> new JsonObject(TestGatehouse.get(
                            sandboxes.localUrl().resolve("/api/v1/sandbox/sessions/" + id),
                            "Authorization", "Bearer " + session).body()).getString("status").equals("running"));

                    HttpResponse<String> chat = TestGatehouse.send(HttpRequest.newBuilder(
                                    sandboxes.localUrl().resolve("/sandboxes/" + id + "/v1/chat/completions"))
                            .header("Authorization", "Bearer " + session).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"json\"}")).build());
                    assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
                    assertThat(chat.body()).contains("Hello!");
                    assertThat(upstream.seenAt("/v1/chat/completions")).hasSize(1);

                    assertThat(status(sandboxes, "/v1/models", session)).isEqualTo(404);
                    assertThat(status(sandboxes, "/auth/pats", session)).isEqualTo(404);
                    assertThat(status(gateway, "/api/v1/sandbox/sessions", session)).isEqualTo(404);
                    assertThat(status(gateway, "/sandboxes/" + id + "/healthz", session)).isEqualTo(404);
                    assertThat(metrics(sandboxes)).doesNotContain("gatehouse_usage_queue_size")
                            .doesNotContain("gatehouse_gateway_requests_total");
                    assertThat(metrics(gateway)).contains("gatehouse_usage_queue_size");
                }
            }
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void authRoleAlone_opensNoGateway_evenWithAChannelWhoseKeyIsMissing() {
        Map<String, String> env = new HashMap<>();
        env.put("GATEHOUSE_ROLES", "auth");
        env.put("GATEHOUSE_GATEWAY_CHANNELS", "[{\"name\":\"a\",\"provider\":\"p\",\"baseUrl\":\"http://127.0.0.1:9/v1\","
                + "\"models\":[\"m\"],\"apiKeyEnv\":\"ROLES_TEST_KEY_THAT_IS_NOT_SET\"}]");
        try (Gatehouse auth = Gatehouse.start(TestGatehouse.config(dir.resolve("auth"), env))) {
            assertThat(metrics(auth)).doesNotContain("gatehouse_usage_queue_size")
                    .doesNotContain("gatehouse_gateway_channel_up");
            assertThat(TestGatehouse.get(auth.localUrl().resolve("/v1/models")).statusCode()).isEqualTo(404);
            assertThat(TestGatehouse.get(auth.localUrl().resolve("/api/v1/sandbox/sessions")).statusCode()).isEqualTo(404);
        }
    }

    private static int status(Gatehouse gatehouse, String path, String session) {
        return TestGatehouse.get(gatehouse.localUrl().resolve(path), "Authorization", "Bearer " + session).statusCode();
    }

    private static String metrics(Gatehouse gatehouse) {
        return TestGatehouse.get(gatehouse.managementUrl().resolve("/metrics")).body();
    }
}
