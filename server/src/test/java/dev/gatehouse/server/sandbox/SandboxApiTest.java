package dev.gatehouse.server.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.testing.PrometheusScrape;
import dev.gatehouse.server.tokens.MintRequest;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sandboxes end to end on the process backend, from users' sessions: the API, the reference runtime
 * as a real child process calling the real gateway with its own token, the proxy (with the official
 * OpenAI Java SDK, SSE and WebSocket), and every refusal with its status, code and nothing behind it.
 */
class SandboxApiTest {
    static final Duration START = Duration.ofSeconds(30);

    @TempDir
    static Path dataDir;

    static SandboxHarness harness;
    static String alice;
    static String bob;
    static String carol;
    static String acmeAdmin;

    @BeforeAll
    static void start() {
        JsonArray profiles = new JsonArray()
                .add(new JsonObject().put("name", "echo").put("command", new JsonArray(EchoRuntime.command())))
                .add(new JsonObject().put("name", "stuck").put("command", new JsonArray(List.of("sleep", "120"))))
                .add(new JsonObject().put("name", "crashing")
                        .put("command", new JsonArray(List.of("sh", "-c", "echo boom; exit 3"))));
        harness = SandboxHarness.start(dataDir, Map.of(
                "GATEHOUSE_SANDBOX_PROFILES", profiles.encode(),
                "GATEHOUSE_SANDBOX_START_TIMEOUT", "6s",
                "GATEHOUSE_SANDBOX_REAP_INTERVAL", "200ms",
                "GATEHOUSE_SANDBOX_MAX_PER_USER", "2",
                "GATEHOUSE_SANDBOX_MAX_PER_ORGANIZATION", "3"), Clock.systemUTC());
        alice = harness.session("alice", "acme");
        bob = harness.session("bob", "acme");
        carol = harness.session("carol", "globex");
        acmeAdmin = harness.session("ops", "acme", SandboxOwner.ORG_ADMIN);
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void sandbox_runs_chatsThroughTheProxyWithTheOpenAiSdk_isMeteredUnderItsId_andDeletionRemovesEverything()
            throws Exception {
        String session = harness.session("dora", "acme");
        HttpResponse<String> created = harness.create(session, "{\"name\": \"review-bot\", \"model\": \"json\"}");

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonObject sandbox = new JsonObject(created.body());
        String id = sandbox.getString("id");
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/sandbox/sessions/" + id);
        assertThat(sandbox.getString("name")).isEqualTo("review-bot");
        assertThat(sandbox.getString("profile")).isEqualTo("default");
        assertThat(sandbox.getString("model")).isEqualTo("json");
        assertThat(sandbox.getString("status")).isIn("pending", "running");
        assertThat(sandbox.getString("url")).isEqualTo("/sandboxes/" + id + "/");
        assertThat(created.body()).doesNotContain("eyJ");
        JsonObject running = harness.awaitStatus(session, id, "running", START);
        assertThat(running.getString("running_at")).isNotNull();

        OpenAIClient sdk = OpenAIOkHttpClient.builder().baseUrl(harness.url("/sandboxes/" + id + "/v1").toString())
                .apiKey(session).maxRetries(0).build();
        ChatCompletion completion = sdk.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("json").addUserMessage("hi").build());
        assertThat(completion.choices().getFirst().message().content()).hasValue("Hello!");
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("sse").addUserMessage("hi").build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice ->
                    choice.delta().content().ifPresent(streamed::append)));
        }
        assertThat(streamed.toString()).isEqualTo("Hello");
        assertThat(harness.upstream.seenAt("/v1/chat/completions")).isNotEmpty();

        Await.until("usage metered under the sandbox", Duration.ofSeconds(10), () -> usageRows(id).size() >= 2);
        assertThat(usageRows(id)).allSatisfy(row -> {
            assertThat(row).containsEntry("token_type", "sandbox").containsEntry("user_id", "dora")
                    .containsEntry("organization", "acme").containsEntry("channel", "fake-a");
        });

        String token = Files.readString(harness.sandboxDirectory(id).resolve("api-key"));
        long pid = Long.parseLong(Files.readString(harness.sandboxDirectory(id).resolve("pid")).split(" ")[0]);
        assertThat(gatewayModels(token).statusCode()).isEqualTo(200);

        assertThat(harness.delete(session, id).statusCode()).isEqualTo(204);

        assertThat(harness.get(session, id).statusCode()).isEqualTo(404);
        HttpResponse<String> proxied = harness.proxyGet(session, id, "/healthz");
        assertThat(proxied.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(proxied.body()).getString("code")).isEqualTo("not_found");
        Await.until("the runtime process is gone", Duration.ofSeconds(10), () -> ProcessHandle.of(pid).isEmpty()
                || !ProcessHandle.of(pid).get().isAlive());
        assertThat(harness.sandboxDirectory(id)).doesNotExist();
        HttpResponse<String> refused = gatewayModels(token);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("code")).isEqualTo("token_revoked");
        assertThat(harness.row(id)).containsEntry("status", "stopped");
        assertThat(harness.tokensRevoked(id)).isTrue();
    }

    @Test
    void proxy_stripsTheCallersCredentials_andTheRuntimeHoldsNothingOfGatehouses() {
        String id = harness.createId(alice, "{\"profile\": \"echo\"}");
        harness.awaitStatus(alice, id, "running", START);

        HttpResponse<String> echoed = TestGatehouse.send(HttpRequest.newBuilder(
                        harness.url("/sandboxes/" + id + "/echo/path?x=1"))
                .header("Authorization", "Bearer " + alice)
                .header("Cookie", "gatehouse_session=secret-session; app=1; __Host-gatehouse-csrf=c")
                .header("X-Forwarded-For", "6.6.6.6")
                .header("X-CSRF-Token", "console-csrf-token")
                .POST(HttpRequest.BodyPublishers.ofString("payload")).build());

        assertThat(echoed.statusCode()).as(echoed.body()).isEqualTo(200);
        JsonObject seen = new JsonObject(echoed.body());
        assertThat(seen.getString("uri")).isEqualTo("/echo/path?x=1");
        assertThat(seen.getString("method")).isEqualTo("POST");
        assertThat(seen.getString("body")).isEqualTo("payload");
        JsonObject headers = seen.getJsonObject("headers");
        assertThat(headers.fieldNames()).doesNotContain("authorization", "x-forwarded-for", "x-csrf-token");
        assertThat(headers.getString("cookie")).isEqualTo("app=1");
        assertThat(headers.getString("x-forwarded-prefix")).isEqualTo("/sandboxes/" + id);
        assertThat(echoed.body()).doesNotContain(alice).doesNotContain("secret-session");
        assertThat(echoed.headers().allValues("Set-Cookie")).containsExactly("app=kept; Path=/sandboxes/" + id + "/",
                "pref=dark; HttpOnly; Path=/sandboxes/" + id + "/settings");

        HttpResponse<String> env = harness.proxyGet(alice, id, "/env");
        JsonObject variables = new JsonObject(env.body());
        assertThat(variables.fieldNames()).containsExactlyInAnyOrder("PATH", "HOME", "TMPDIR", "HOST", "PORT",
                "LLM_GATEWAY_URL", "OPENAI_BASE_URL", "OPENAI_API_BASE", "NEWAPI_BASE_URL", "LLM_GATEWAY_TOKEN",
                "OPENAI_API_KEY", "NEWAPI_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY", "LLM_GATEWAY_TOKEN_FILE");
        assertThat(variables.getString("LLM_GATEWAY_URL")).isEqualTo(harness.config.sandbox().gatewayUrl().toString());
        assertThat(variables.getString("LLM_GATEWAY_TOKEN")).isEqualTo(variables.getString("OPENAI_API_KEY"))
                .isNotEqualTo(alice).startsWith("eyJ");
        assertThat(env.body()).doesNotContain(SandboxHarness.ADMIN).doesNotContain(alice);
        assertThat(harness.delete(alice, id).statusCode()).isEqualTo(204);
    }

    @Test
    void proxy_relaysServerSentEventsAsTheyCome_andWebSockets() throws Exception {
        String id = harness.createId(bob, "{\"profile\": \"echo\"}");
        harness.awaitStatus(bob, id, "running", START);

        HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        harness.url("/sandboxes/" + id + "/sse")).header("Authorization", "Bearer " + bob).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertThat(reader.readLine()).isEqualTo("data: tick 3");
            long firstEvent = System.nanoTime();
            List<String> rest = reader.lines().filter(line -> !line.isEmpty()).toList();
            assertThat(rest).containsExactly("data: tick 2", "data: tick 1");
            assertThat(Duration.ofNanos(System.nanoTime() - firstEvent)).isGreaterThan(Duration.ofMillis(150));
        }

        WebSocketClient sockets = harness.vertx.createWebSocketClient();
        try {
            var socket = sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
                    .setPort(harness.gatehouse.port()).setURI("/sandboxes/" + id + "/ws")
                    .addHeader("Authorization", "Bearer " + bob)).await();
            var reply = new CompletableFuture<String>();
            socket.textMessageHandler(reply::complete);
            socket.writeTextMessage("hi").await();
            assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("echo:hi");
            assertThat(openThroughTheProxy()).as("an open WebSocket is activity").isEqualTo(1);
            socket.close().await();
            Await.until("the closed WebSocket no longer counted", Duration.ofSeconds(10),
                    () -> openThroughTheProxy() == 0);

            var headersSeen = new CompletableFuture<String>();
            var upgrade = sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
                    .setPort(harness.gatehouse.port()).setURI("/sandboxes/" + id + "/ws-headers")
                    .addHeader("Authorization", "Bearer " + bob).addHeader("Cookie", "gatehouse_session=s; app=2"))
                    .await();
            upgrade.textMessageHandler(headersSeen::complete);
            JsonObject upgradeHeaders = new JsonObject(headersSeen.get(10, TimeUnit.SECONDS));
            assertThat(upgradeHeaders.fieldNames()).doesNotContain("authorization");
            assertThat(upgradeHeaders.getString("cookie")).isEqualTo("app=2");
            upgrade.close().await();
            assertThatThrownBy(() -> sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
                    .setPort(harness.gatehouse.port()).setURI("/sandboxes/" + id + "/ws")).await())
                    .hasMessageContaining("401");
        } finally {
            sockets.close().await();
        }
        assertThat(harness.delete(bob, id).statusCode()).isEqualTo(204);
    }

    @Test
    void someoneElsesSandbox_isNotFound_anOrganizationAdminSeesAndStopsButCannotUseIt() {
        String id = harness.createId(alice, "{\"profile\": \"echo\"}");
        harness.awaitStatus(alice, id, "running", START);

        for (String stranger : List.of(bob, carol)) {
            assertThat(harness.get(stranger, id).statusCode()).isEqualTo(404);
            assertThat(harness.proxyGet(stranger, id, "/healthz").statusCode()).isEqualTo(404);
            assertThat(harness.delete(stranger, id).statusCode()).isEqualTo(404);
            assertThat(ids(list(stranger, ""))).doesNotContain(id);
        }
        HttpResponse<String> forbidden = TestGatehouse.get(harness.url("/api/v1/sandbox/sessions?scope=organization"),
                "Authorization", "Bearer " + bob);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(forbidden.body()).getString("code")).isEqualTo("capability_required");
        assertThat(harness.proxyGet(alice, id, "/healthz").statusCode()).isEqualTo(200);

        assertThat(harness.get(acmeAdmin, id).statusCode()).isEqualTo(200);
        assertThat(ids(list(acmeAdmin, "?scope=organization"))).contains(id);
        assertThat(ids(list(acmeAdmin, ""))).doesNotContain(id);
        assertThat(harness.proxyGet(acmeAdmin, id, "/healthz").statusCode()).isEqualTo(404);
        assertThat(harness.delete(acmeAdmin, id).statusCode()).isEqualTo(204);

        assertThat(harness.get(alice, id).statusCode()).isEqualTo(404);
        assertThat(harness.row(id)).containsEntry("status", "stopped")
                .containsEntry("reason", "Deleted by an administrator of organization \"acme\".");
        assertThat(harness.tokensRevoked(id)).isTrue();
    }

    @Test
    void quotas_refuseOneMorePerUserAndPerOrganization_withNothingRecordedOrMinted() {
        String first = harness.session("quota-1", "quota-org");
        String second = harness.session("quota-2", "quota-org");
        harness.createId(first, "{\"profile\": \"echo\"}");
        harness.createId(first, "{\"profile\": \"echo\"}");
        int rows = count("sandboxes");
        int tokens = count("sandbox_tokens");

        HttpResponse<String> overUser = harness.create(first, "{\"profile\": \"echo\"}");
        assertThat(overUser.statusCode()).isEqualTo(409);
        assertThat(new JsonObject(overUser.body()).getString("code")).isEqualTo("too_many_sandboxes");
        assertThat(new JsonObject(overUser.body()).getString("detail")).contains("at most 2");

        harness.createId(second, "{\"profile\": \"echo\"}");
        HttpResponse<String> overOrganization = harness.create(second, "{\"profile\": \"echo\"}");
        assertThat(overOrganization.statusCode()).isEqualTo(409);
        assertThat(new JsonObject(overOrganization.body()).getString("detail")).contains("Organization \"quota-org\"")
                .contains("at most 3");
        assertThat(count("sandboxes")).isEqualTo(rows + 1);
        assertThat(count("sandbox_tokens")).isEqualTo(tokens + 1);
        for (String session : List.of(first, second)) {
            ids(list(session, "")).forEach(id -> harness.delete(session, id));
        }
    }

    @Test
    void badRequests_getAClearErrorAndRecordNothing() {
        int rows = count("sandboxes");
        SigningTokenMinter minter = SigningTokenMinter.of(harness.gatehouse.keyRing(), harness.config.tokens(),
                Clock.systemUTC());
        List<String> api = List.of(harness.config.tokens().issuer().toString());
        String nobody = minter.mint(new MintRequest(TokenType.SESSION, "nobody", api, Duration.ofHours(1), Map.of()))
                .token();

        assertRefused(harness.create(alice, "{\"profile\": \"gpu-xl\"}"), 400, "unknown_profile",
                "profile: \"gpu-xl\" (expected one of: default, echo, stuck, crashing)");
        assertRefused(harness.create(alice, "{\"model\": \"gpt-5\"}"), 400, "unknown_model", "\"gpt-5\"");
        assertRefused(harness.create(alice, "{\"name\": "), 400, "malformed_json", "not valid JSON");
        assertRefused(harness.create(alice, "[]"), 400, "malformed_json", "one JSON object");
        assertRefused(harness.create(alice, "{\"image\": \"evil\"}"), 400, "unknown_field", "\"image\"");
        assertRefused(harness.create(alice, "{\"name\": 7}"), 400, "invalid_field", "name: number");
        assertRefused(harness.create(alice, "{\"name\": \"" + "x".repeat(20_000) + "\"}"), 413, "body_too_large", "");
        assertRefused(TestGatehouse.send(HttpRequest.newBuilder(harness.url("/api/v1/sandbox/sessions"))
                .header("Authorization", "Bearer " + alice).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build()), 415, "unsupported_media_type", "");
        assertRefused(TestGatehouse.send(HttpRequest.newBuilder(harness.url("/api/v1/sandbox/sessions"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build()), 401, "missing_token", "");
        String pat = minter.mint(new MintRequest(TokenType.PAT, "alice", api, Duration.ofHours(1),
                Map.of("org_id", "acme"))).token();
        assertRefused(harness.create(pat, "{}"), 401, "wrong_token_type", "");
        assertRefused(harness.create(nobody, "{}"), 403, "organization_required", "");
        assertRefused(TestGatehouse.get(harness.url("/api/v1/sandbox/sessions?scope=everyone"),
                "Authorization", "Bearer " + alice), 400, "invalid_parameter", "scope");
        assertThat(harness.get(alice, "no-such-id").statusCode()).isEqualTo(404);
        assertThat(harness.proxyGet(alice, "no-such-id", "/v1/models").statusCode()).isEqualTo(404);
        assertThat(count("sandboxes")).isEqualTo(rows);
    }

    @Test
    void runtimeThatNeverBecomesHealthy_fails_withItsTokenRevoked_andItsProcessGone() {
        String id = harness.createId(carol, "{\"profile\": \"stuck\"}");

        JsonObject failed = harness.awaitStatus(carol, id, "failed", Duration.ofSeconds(30));

        assertThat(failed.getString("reason")).isEqualTo("The runtime did not become healthy within 6s.");
        assertThat(harness.tokensRevoked(id)).isTrue();
        Await.until("no process or files left", Duration.ofSeconds(10),
                () -> !Files.exists(harness.sandboxDirectory(id)));
        assertThat(harness.proxyGet(carol, id, "/").statusCode()).isEqualTo(409);
        assertThat(harness.delete(carol, id).statusCode()).isEqualTo(204);
    }

    @Test
    void runtimeThatExitsAtStart_failsWithItsExitStatus() {
        String id = harness.createId(carol, "{\"profile\": \"crashing\"}");

        JsonObject failed = harness.awaitStatus(carol, id, "failed", START);

        assertThat(failed.getString("reason")).isEqualTo("The runtime exited with status 3 before it became healthy.");
        assertThat(harness.tokensRevoked(id)).isTrue();
        assertThat(harness.delete(carol, id).statusCode()).isEqualTo(204);
    }

    @Test
    void runtimeThatDiesMidStream_theClientSeesAnError_andNothingIsLeftBehind() throws Exception {
        String session = harness.session("erin", "globex");
        String id = harness.createId(session, "{\"profile\": \"echo\"}");
        harness.awaitStatus(session, id, "running", START);
        long pid = Long.parseLong(Files.readString(harness.sandboxDirectory(id).resolve("pid")).split(" ")[0]);

        HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        harness.url("/sandboxes/" + id + "/sse-endless")).header("Authorization", "Bearer " + session).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertThat(reader.readLine()).startsWith("data: tick");
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            assertThatThrownBy(() -> reader.lines().count()).isInstanceOf(UncheckedIOException.class);
        }

        JsonObject failed = harness.awaitStatus(session, id, "failed", START);
        assertThat(failed.getString("reason")).isEqualTo("The runtime exited with status 137.");
        assertThat(harness.tokensRevoked(id)).isTrue();
        Await.until("no files left", Duration.ofSeconds(10), () -> !Files.exists(harness.sandboxDirectory(id)));
        assertThat(harness.delete(session, id).statusCode()).isEqualTo(204);
    }

    private static double openThroughTheProxy() {
        return PrometheusScrape.parse(PrometheusScrape.fetchText(harness.gatehouse.managementUrl())).samples().stream()
                .filter(sample -> sample.name().equals("gatehouse_sandbox_proxy_open")).findFirst().orElseThrow().value();
    }

    private static void assertRefused(HttpResponse<String> response, int status, String code, String detail) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonObject problem = new JsonObject(response.body());
        assertThat(problem.getString("code")).isEqualTo(code);
        assertThat(problem.getString("detail")).contains(detail);
    }

    private static JsonArray list(String session, String query) {
        HttpResponse<String> response = TestGatehouse.get(harness.url("/api/v1/sandbox/sessions" + query),
                "Authorization", "Bearer " + session);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body()).getJsonArray("sandboxes");
    }

    private static Set<String> ids(JsonArray sandboxes) {
        return sandboxes.stream().map(item -> ((JsonObject) item).getString("id")).collect(Collectors.toSet());
    }

    private static List<Map<String, Object>> usageRows(String sandbox) {
        return harness.gatehouse.database().jdbi().withHandle(handle -> handle
                .createQuery("SELECT * FROM usage_records WHERE sandbox = :s").bind("s", sandbox).mapToMap().list());
    }

    private static int count(String table) {
        return harness.gatehouse.database().jdbi().withHandle(handle -> handle
                .createQuery("SELECT COUNT(*) FROM " + table).mapTo(Integer.class).one());
    }

    private static HttpResponse<String> gatewayModels(String token) {
        return TestGatehouse.get(harness.url("/v1/models"), "Authorization", "Bearer " + token);
    }
}
