package dev.gatehouse.server.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.gateway.FakeUpstream;
import dev.gatehouse.server.identity.LocalSession;
import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real Gatehouse with every role, the production metering on its SQLite store, the process
 * backend and one gateway channel ({@code fake-a}) to a {@link FakeUpstream}; local sessions for
 * test users, and the sandbox API and proxy as an HTTP client sees them.
 */
final class SandboxHarness implements AutoCloseable {
    static final String ADMIN = "admin-secret-for-sandbox-tests-0123456789";
    static final List<String> MODELS = List.of("json", "sse", "sse-3s", "sse-endless");

    final Vertx vertx;
    final FakeUpstream upstream;
    final Gatehouse gatehouse;
    final GatehouseConfig config;
    final Path dataDir;

    private SandboxHarness(Vertx vertx, FakeUpstream upstream, Gatehouse gatehouse, GatehouseConfig config,
            Path dataDir) {
        this.vertx = vertx;
        this.upstream = upstream;
        this.gatehouse = gatehouse;
        this.config = config;
        this.dataDir = dataDir;
    }

    /** @param overrides further configuration, environment-style; {@code clock} is the roles' clock */
    static SandboxHarness start(Path dataDir, Map<String, String> overrides, Clock clock) {
        Vertx vertx = Vertx.vertx();
        FakeUpstream upstream = FakeUpstream.start(vertx);
        Map<String, String> env = new HashMap<>();
        env.put("NEWAPI_ADMIN_SECRET", ADMIN);
        env.put("GATEHOUSE_GATEWAY_CHANNELS", new JsonArray().add(new JsonObject()
                .put("name", "fake-a").put("provider", "fake").put("baseUrl", upstream.baseUrl())
                .put("models", new JsonArray(MODELS))).encode());
        // A fixed port: the gateway URL sandboxes are given (<server.publicUrl>/v1) must name it.
        env.put("GATEHOUSE_SERVER_PORT", Integer.toString(TestGatehouse.freePort()));
        env.putAll(overrides);
        GatehouseConfig config = TestGatehouse.config(dataDir, env);
        try {
            Gatehouse gatehouse = Gatehouse.builder(config).clock(clock).start();
            return new SandboxHarness(vertx, upstream, gatehouse, config, dataDir);
        } catch (RuntimeException e) {
            upstream.close();
            vertx.close().await();
            throw e;
        }
    }


    /** A local session of {@code user} in {@code organization} with {@code capabilities}. */
    String session(String user, String organization, String... capabilities) {
        return SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), Clock.systemUTC()).mint(LocalSession.request(
                user, organization, List.of(), List.of(capabilities), Duration.ofHours(1), config.tokens().issuer()))
                .token();
    }

    URI url(String path) {
        return gatehouse.localUrl().resolve(path);
    }

    HttpResponse<String> create(String session, String body) {
        return TestGatehouse.send(HttpRequest.newBuilder(url("/api/v1/sandbox/sessions"))
                .header("Authorization", "Bearer " + session)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** Creates a sandbox and returns its id, asserting the 201. */
    String createId(String session, String body) {
        HttpResponse<String> created = create(session, body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return new JsonObject(created.body()).getString("id");
    }

    HttpResponse<String> get(String session, String id) {
        return TestGatehouse.get(url("/api/v1/sandbox/sessions/" + id), "Authorization", "Bearer " + session);
    }

    HttpResponse<String> delete(String session, String id) {
        return TestGatehouse.send(HttpRequest.newBuilder(url("/api/v1/sandbox/sessions/" + id))
                .header("Authorization", "Bearer " + session).DELETE().build());
    }

    HttpResponse<String> proxyGet(String session, String id, String path) {
        return TestGatehouse.get(url("/sandboxes/" + id + path), "Authorization", "Bearer " + session);
    }

    /** Waits until the sandbox has {@code status}, failing early (with its reason) if it ends otherwise. */
    JsonObject awaitStatus(String session, String id, String status, Duration limit) {
        AtomicReference<JsonObject> last = new AtomicReference<>();
        Await.until("sandbox " + id + " " + status + " (last seen: " + last + ")", limit, () -> {
            HttpResponse<String> response = get(session, id);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonObject sandbox = new JsonObject(response.body());
            last.set(sandbox);
            return sandbox.getString("status").equals(status);
        });
        return last.get();
    }

    /** The sandbox's row as the store holds it. */
    Map<String, Object> row(String id) {
        return gatehouse.database().jdbi().withHandle(handle -> handle
                .createQuery("SELECT * FROM sandboxes WHERE id = :id").bind("id", id).mapToMap().one());
    }

    /** Whether every token ever minted for the sandbox is revoked. */
    boolean tokensRevoked(String id) {
        List<Map<String, Object>> tokens = gatehouse.database().jdbi().withHandle(handle -> handle
                .createQuery("SELECT revoked_at FROM sandbox_tokens WHERE sandbox_id = :id").bind("id", id).mapToMap().list());
        return !tokens.isEmpty() && tokens.stream().allMatch(token -> token.get("revoked_at") != null);
    }

    Path sandboxDirectory(String id) {
        return dataDir.resolve("sandboxes").resolve(id);
    }

    @Override
    public void close() {
        try {
            gatehouse.close();
        } finally {
            upstream.close();
            vertx.close().await();
        }
    }
}
