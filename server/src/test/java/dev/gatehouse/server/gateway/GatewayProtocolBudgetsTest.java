package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.tokens.MintRequest;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A token budget on {@code /v1/messages}: a stream past what the budget left is cut with Anthropic's
 * error event, natively and translated, and a spent budget refuses in Anthropic's shape; on {@code
 * /v1/responses} the cut is the Responses API's error event.
 */
class GatewayProtocolBudgetsTest {
    private static final long TOKEN_BUDGET = 300;

    @TempDir
    Path dataDir;
    private Vertx vertx;
    private Gatehouse gatehouse;
    private String token;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        FakeUpstream upstream = FakeUpstream.start(vertx);
        GatehouseConfig config = TestGatehouse.config(dataDir, Map.of(
                "GATEHOUSE_GATEWAY_LIMITS_TOKEN_DAILY_TOKEN_BUDGET", String.valueOf(TOKEN_BUDGET),
                "GATEHOUSE_GATEWAY_CHANNELS", new JsonArray()
                        .add(TestGateway.channel("claude", "anthropic", upstream, "claude-sse-1000")
                                .put("protocols", new JsonArray().add("anthropic.messages")))
                        .add(TestGateway.channel("qwen", "qwen", upstream, "sse-1000")).encode()));
        gatehouse = Gatehouse.start(config);
        token = SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), Clock.systemUTC()).mint(new MintRequest(
                TokenType.PAT, "bob", List.of("gateway"), Duration.ofHours(1), TestGateway.patClaims("acme"))).token();
    }

    @AfterEach
    void stop() {
        gatehouse.close();
        vertx.close().await();
        client.close();
    }

    private HttpResponse<String> messages(String model, int maxTokens) {
        return post("/v1/messages", new JsonObject().put("model", model).put("max_tokens", maxTokens).put("stream", true)
                .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))).encode());
    }

    private HttpResponse<String> post(String path, String body) {
        return client.sendAsync(HttpRequest.newBuilder(gatehouse.localUrl().resolve(path))
                .header("x-api-key", token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).join();
    }

    /** {@code deltas} content events delivered, then Anthropic's error event, and no message_stop. */
    private static void assertCutWithAnAnthropicError(HttpResponse<String> response, int deltas) {
        assertThat(response.statusCode()).isEqualTo(200);
        String body = response.body();
        assertThat(body.split("\"type\":\"content_block_delta\"", -1)).hasSize(deltas + 1);
        assertThat(body).doesNotContain("message_stop");
        String last = body.substring(body.lastIndexOf("event: "));
        assertThat(last).startsWith("event: error\ndata: ");
        JsonObject error = new JsonObject(last.substring(last.indexOf("data: ") + 6).strip());
        assertThat(error.getString("type")).isEqualTo("error");
        assertThat(error.getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
        assertThat(error.getJsonObject("error").getString("message")).startsWith("Budget exhausted");
    }

    @Test
    void nativeStreamPastTheBudget_isCutWithAnAnthropicErrorEvent() {
        assertCutWithAnAnthropicError(messages("claude-sse-1000", 250), 250);
    }

    @Test
    void translatedStreamPastTheBudget_isCutWithAnAnthropicErrorEvent() {
        assertCutWithAnAnthropicError(messages("sse-1000", 250), 250);
    }

    @Test
    void aSpentBudget_refusesTheNextRequestInAnthropicsShape() {
        HttpResponse<String> first = messages("claude-sse-1000", 4096);
        HttpResponse<String> second = messages("claude-sse-1000", 10);

        assertThat(first.body()).contains("Budget exhausted");
        assertThat(second.statusCode()).isEqualTo(429);
        JsonObject error = new JsonObject(second.body());
        assertThat(error.getString("type")).isEqualTo("error");
        assertThat(error.getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
    }

    @Test
    void translatedResponsesStreamPastTheBudget_isCutWithTheResponsesErrorEvent() {
        HttpResponse<String> response = post("/v1/responses", new JsonObject().put("model", "sse-1000")
                .put("max_output_tokens", 250).put("stream", true).put("input", "hi").encode());

        String body = response.body();
        assertThat(body.split("event: response.output_text.delta\n", -1)).hasSize(251);
        assertThat(body).doesNotContain("response.completed");
        String last = body.substring(body.lastIndexOf("event: "));
        assertThat(last).startsWith("event: error\ndata: ");
        JsonObject error = new JsonObject(last.substring(last.indexOf("data: ") + 6).strip());
        assertThat(error.getString("code")).isEqualTo("insufficient_quota");
        assertThat(error.getString("message")).startsWith("Budget exhausted");
    }
}
