package dev.gatehouse.server.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's periodic work on a real Gatehouse whose clock the test moves: idle sandboxes are
 * stopped unless proxied traffic or gateway calls kept them busy, a sandbox past its maximum lifetime
 * is stopped however busy, and a token about to expire is replaced without a restart.
 */
class SandboxLifecycleTest {
    static final Duration START = Duration.ofSeconds(30);
    static final Duration PASS = Duration.ofSeconds(10);

    @TempDir
    static Path dataDir;

    static MutableClock clock = new MutableClock(Instant.now());
    static SandboxHarness harness;

    @BeforeAll
    static void start() {
        harness = SandboxHarness.start(dataDir, Map.of(
                "GATEHOUSE_SANDBOX_PROFILES", EchoRuntime.echoProfile(),
                "GATEHOUSE_SANDBOX_IDLE_TIMEOUT", "30m",
                "GATEHOUSE_SANDBOX_MAX_LIFETIME", "100d",
                "GATEHOUSE_SANDBOX_TOKEN_ROTATE_BEFORE", "1d",
                "GATEHOUSE_SANDBOX_REAP_INTERVAL", "100ms"), clock);
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void idleSandbox_isStopped_unlessProxiedTrafficOrGatewayCallsKeptItBusy() {
        String session = harness.session("ida", "acme");
        String id = harness.createId(session, "{\"profile\": \"echo\"}");
        harness.awaitStatus(session, id, "running", START);

        clock.advance(Duration.ofMinutes(25));
        assertThat(harness.proxyGet(session, id, "/healthz").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(25));
        assertStillRunningAfterAFewPasses(session, id);

        String token = harness.proxyGet(session, id, "/env").body();
        String gatewayToken = new JsonObject(token).getString("LLM_GATEWAY_TOKEN");
        clock.advance(Duration.ofMinutes(25));
        HttpResponse<String> call = TestGatehouse.send(HttpRequest.newBuilder(harness.url("/v1/chat/completions"))
                .header("Authorization", "Bearer " + gatewayToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"json\"}")).build());
        assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
        Await.until("the call's usage recorded", PASS, () -> harness.gatehouse.database().jdbi().withHandle(handle ->
                handle.createQuery("SELECT COUNT(*) FROM usage_records WHERE sandbox = :id").bind("id", id)
                        .mapTo(Integer.class).one()) == 1);
        clock.advance(Duration.ofMinutes(25));
        assertStillRunningAfterAFewPasses(session, id);

        clock.advance(Duration.ofMinutes(31));
        JsonObject stopped = harness.awaitStatus(session, id, "stopped", PASS);

        assertThat(stopped.getString("reason")).isEqualTo("Stopped after 30m without proxied traffic or gateway calls.");
        assertThat(harness.tokensRevoked(id)).isTrue();
        Await.until("the runtime removed", PASS, () -> !Files.exists(harness.sandboxDirectory(id)));
        assertThat(harness.proxyGet(session, id, "/healthz").statusCode()).isEqualTo(409);
    }

    @Test
    void tokenAboutToExpire_isReplaced_inTheRuntimesFile_withoutARestart() throws Exception {
        String session = harness.session("rob", "acme");
        String id = harness.createId(session, "{\"profile\": \"echo\"}");
        harness.awaitStatus(session, id, "running", START);
        Path tokenFile = harness.sandboxDirectory(id).resolve("api-key");
        String first = Files.readString(tokenFile);
        String pid = Files.readString(harness.sandboxDirectory(id).resolve("pid"));
        Object firstJti = harness.row(id).get("token_id");

        try (InputStream busy = openStream(session, id)) {
            clock.advance(Duration.ofDays(6).plusHours(1));
            Await.until("a new token", PASS, () -> !harness.row(id).get("token_id").equals(firstJti));
        }

        assertThat(Files.readString(tokenFile)).isNotEqualTo(first).startsWith("eyJ");
        assertThat(Files.readString(harness.sandboxDirectory(id).resolve("pid"))).isEqualTo(pid);
        assertThat(harness.row(id)).containsEntry("status", "running");
        long tokens = harness.gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(
                "SELECT COUNT(*) FROM sandbox_tokens WHERE sandbox_id = :id AND revoked_at IS NULL")
                .bind("id", id).mapTo(Long.class).one());
        assertThat(tokens).isEqualTo(2);
        List<Map<String, Object>> audited = harness.gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(
                "SELECT actor_subject FROM audit_events WHERE action = 'sandbox_token.issued' AND detail LIKE :id")
                .bind("id", "%" + id + "%").mapToMap().list());
        assertThat(audited).extracting(row -> row.get("actor_subject")).containsExactly("rob", "sandbox-controller");
        assertThat(harness.delete(session, id).statusCode()).isEqualTo(204);
    }

    @Test
    void sandboxPastItsMaximumLifetime_isStopped_howeverBusy() throws Exception {
        String session = harness.session("max", "acme");
        String id = harness.createId(session, "{\"profile\": \"echo\"}");
        harness.awaitStatus(session, id, "running", START);

        JsonObject stopped;
        try (InputStream busy = openStream(session, id)) {
            clock.advance(Duration.ofDays(101));
            stopped = harness.awaitStatus(session, id, "stopped", PASS);
        }

        assertThat(stopped.getString("reason")).isEqualTo("Reached its maximum lifetime of 100d.");
        assertThat(harness.tokensRevoked(id)).isTrue();
    }

    /** An endless event stream through the proxy: an open connection, so the sandbox is busy while it lasts. */
    private static InputStream openStream(String session, String id) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(harness.url("/sandboxes/" + id + "/sse-endless"))
                .header("Authorization", "Bearer " + session).build(), HttpResponse.BodyHandlers.ofInputStream()).body();
    }

    private static void assertStillRunningAfterAFewPasses(String session, String id) {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(new JsonObject(harness.get(session, id).body()).getString("status")).isEqualTo("running");
    }
}
