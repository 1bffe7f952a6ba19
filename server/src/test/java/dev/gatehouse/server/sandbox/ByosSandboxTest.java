package dev.gatehouse.server.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.testing.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sandboxes in BYOS mode, with the process backend running a real child process: they get their
 * owner's subscription (here a pasted key) in the provider's variable and no gateway token, follow a
 * new credential without a restart, and stop when the subscription is disconnected.
 */
class ByosSandboxTest {
    static final Duration START = Duration.ofSeconds(30);
    static final Duration PASS = Duration.ofSeconds(10);
    static final List<String> GATEWAY_VARIABLES = List.of("LLM_GATEWAY_URL", "OPENAI_BASE_URL", "OPENAI_API_BASE",
            "NEWAPI_BASE_URL", "LLM_GATEWAY_TOKEN", "OPENAI_API_KEY", "NEWAPI_KEY", "LLM_GATEWAY_TOKEN_FILE");

    @TempDir
    static Path dataDir;

    static SandboxHarness harness;

    @BeforeAll
    static void start() {
        harness = SandboxHarness.start(dataDir, Map.of(
                "GATEHOUSE_SANDBOX_PROFILES", EchoRuntime.echoProfile(),
                "GATEHOUSE_SANDBOX_REAP_INTERVAL", "200ms",
                "GATEHOUSE_BYOS_PROVIDERS", new JsonArray().add(new JsonObject().put("name", "demo")
                        .put("sandboxVariable", "DEMO_API_KEY").put("apiCidrs", new JsonArray().add("203.0.113.0/24")))
                        .encode()), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void byosSandbox_getsTheOwnersKeyInTheProvidersVariable_andNoGatewayToken() throws Exception {
        String session = harness.session("bea", "acme");
        assertThat(putKey(session, "demo", "demo-key-first").statusCode()).isEqualTo(200);

        HttpResponse<String> created = harness.create(session, "{\"profile\": \"echo\", \"mode\": \"byos\", \"provider\": \"demo\"}");

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonObject sandbox = new JsonObject(created.body());
        assertThat(sandbox.getString("mode")).isEqualTo("byos");
        assertThat(sandbox.getString("provider")).isEqualTo("demo");
        assertThat(created.body()).doesNotContain("demo-key-first");
        String id = sandbox.getString("id");
        harness.awaitStatus(session, id, "running", START);
        JsonObject env = new JsonObject(harness.proxyGet(session, id, "/env").body());
        assertThat(env.getString("DEMO_API_KEY")).isEqualTo("demo-key-first");
        assertThat(env.getString("LLM_SUBSCRIPTION_VARIABLE")).isEqualTo("DEMO_API_KEY");
        assertThat(Path.of(env.getString("DEMO_API_KEY_FILE"))).hasContent("demo-key-first");
        assertThat(env.fieldNames()).doesNotContainAnyElementsOf(GATEWAY_VARIABLES);
        assertThat(harness.row(id)).containsEntry("mode", "byos").containsEntry("provider", "demo")
                .containsEntry("token_id", null);
        assertThat(mintedTokens(id)).isZero();
        assertThat(auditDetail("sandbox.created", id)).contains("\"mode\":\"byos\"", "\"provider\":\"demo\"")
                .doesNotContain("demo-key-first");
        assertThat(harness.delete(session, id).statusCode()).isEqualTo(204);
    }

    @Test
    void newKey_reachesTheRunningSandbox_withoutARestart() throws Exception {
        String session = harness.session("ned", "acme");
        putKey(session, "demo", "demo-key-old");
        String id = harness.createId(session, "{\"profile\": \"echo\", \"mode\": \"byos\", \"provider\": \"demo\"}");
        harness.awaitStatus(session, id, "running", START);
        Path keyFile = harness.sandboxDirectory(id).resolve("api-key");
        String pid = Files.readString(harness.sandboxDirectory(id).resolve("pid"));

        assertThat(putKey(session, "demo", "demo-key-new").statusCode()).isEqualTo(200);

        Await.until("the new key in the sandbox's file", PASS, () -> read(keyFile).equals("demo-key-new"));
        assertThat(Files.readString(harness.sandboxDirectory(id).resolve("pid"))).isEqualTo(pid);
        assertThat(harness.row(id)).containsEntry("status", "running");
        assertThat(harness.delete(session, id).statusCode()).isEqualTo(204);
    }

    @Test
    void disconnectedSubscription_stopsItsSandboxes() {
        String session = harness.session("dan", "acme");
        putKey(session, "demo", "demo-key-dan");
        String id = harness.createId(session, "{\"profile\": \"echo\", \"mode\": \"byos\", \"provider\": \"demo\"}");
        harness.awaitStatus(session, id, "running", START);

        HttpResponse<String> disconnected = TestGatehouse.send(HttpRequest.newBuilder(
                harness.url("/api/v1/sandbox/byos/demo")).header("Authorization", "Bearer " + session).DELETE().build());
        assertThat(disconnected.statusCode()).as(disconnected.body()).isEqualTo(200);

        JsonObject stopped = harness.awaitStatus(session, id, "stopped", PASS);
        assertThat(stopped.getString("reason")).isEqualTo("Its owner's subscription of demo was disconnected.");
        Await.until("the runtime removed", PASS, () -> !Files.exists(harness.sandboxDirectory(id)));
    }

    @Test
    void byosSandbox_refusedWithoutAUsableSubscription_nothingRecorded() {
        String session = harness.session("nia", "acme");

        assertRefused(harness.create(session, "{\"mode\": \"byos\", \"provider\": \"demo\"}"), 409,
                "subscription_not_connected", "You have no subscription of demo connected in organization \"acme\"");
        assertRefused(harness.create(session, "{\"mode\": \"byos\", \"provider\": \"other\"}"), 503,
                "provider_not_configured", "Provider \"other\" is not configured: add it to byos.providers");
        assertRefused(harness.create(session, "{\"mode\": \"byos\", \"provider\": \"Demo!\"}"), 400,
                "invalid_provider", "provider: \"Demo!\"");
        assertRefused(harness.create(session, "{\"mode\": \"byos\"}"), 400, "invalid_field", "provider: missing");
        assertRefused(harness.create(session, "{\"provider\": \"demo\"}"), 400, "invalid_field",
                "provider: \"demo\" (expected: only with \"mode\": \"byos\")");
        assertRefused(harness.create(session, "{\"mode\": \"direct\"}"), 400, "invalid_field",
                "mode: \"direct\" (expected: gateway or byos)");
        putKey(harness.session("nia", "globex"), "demo", "demo-key-of-another-organization");
        assertRefused(harness.create(session, "{\"mode\": \"byos\", \"provider\": \"demo\"}"), 409,
                "subscription_not_connected", "You have no subscription of demo connected");
        long sandboxes = harness.gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(
                "SELECT COUNT(*) FROM sandboxes WHERE owner_subject = 'nia'").mapTo(Long.class).one());
        assertThat(sandboxes).isZero();
    }

    private static void assertRefused(HttpResponse<String> response, int status, String code, String detail) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonObject problem = new JsonObject(response.body());
        assertThat(problem.getString("code")).isEqualTo(code);
        assertThat(problem.getString("detail")).contains(detail);
    }

    static HttpResponse<String> putKey(String session, String provider, String key) {
        return TestGatehouse.send(HttpRequest.newBuilder(harness.url("/api/v1/sandbox/byos/" + provider + "/key"))
                .header("Authorization", "Bearer " + session).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject().put("key", key).encode())).build());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long mintedTokens(String id) {
        return harness.gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(
                "SELECT COUNT(*) FROM sandbox_tokens WHERE sandbox_id = :id").bind("id", id).mapTo(Long.class).one());
    }

    private static String auditDetail(String action, String target) {
        return harness.gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT detail FROM audit_events WHERE action = :action AND target = :target")
                .bind("action", action).bind("target", target).mapTo(String.class).one());
    }
}
