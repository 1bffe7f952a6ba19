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
import dev.gatehouse.server.TwoReplicasOnPostgres;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.gateway.api.GatewayParts;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.tokens.MintRequest;
import dev.gatehouse.server.tokens.MintedToken;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole request path with the production metering ({@code GatewayParts.metered}: the batched
 * usage sink and the token budgets) on PostgreSQL, driven by the official OpenAI SDK: every request
 * leaves exactly one usage row, and its budget is charged what the upstream reported, never the
 * reservation made at admission.
 */
class GatewayMeteredOnPostgresTest {
    @TempDir
    static Path dataDir;

    static Vertx vertx;
    static FakeUpstream upstream;
    static TestStore store;
    static Gatehouse gatehouse;
    static SigningTokenMinter minter;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = FakeUpstream.start(vertx);
        store = TestDatabases.postgres();
        Map<String, String> env = new HashMap<>(TwoReplicasOnPostgres.storeAndKek(store.config()));
        env.put("GATEHOUSE_GATEWAY_LIMITS_TOKEN_DAILY_TOKEN_BUDGET", "1000000");
        env.put("GATEHOUSE_GATEWAY_IDLE_TIMEOUT", "2s");
        env.put("GATEHOUSE_GATEWAY_CHANNELS", new JsonArray()
                .add(new JsonObject().put("name", "down").put("provider", "fake").put("priority", 0)
                        .put("baseUrl", FakeUpstream.unreachableBaseUrl()).put("models", new JsonArray(List.of("json", "sse"))))
                .add(new JsonObject().put("name", "up").put("provider", "fake").put("priority", 1)
                        .put("baseUrl", upstream.baseUrl())
                        .put("models", new JsonArray(List.of("json", "sse", "sse-endless"))))
                .encode());
        GatehouseConfig config = TestGatehouse.config(dataDir, env);
        gatehouse = Gatehouse.start(config);
        minter = SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        if (gatehouse != null) {
            gatehouse.close();
        }
        upstream.close();
        vertx.close().await();
        store.close();
    }

    @Test
    void aWholeCompletion_failsOverPastADeadChannel_isMeteredOnce_andChargesWhatTheUpstreamReported() {
        MintedToken token = token();

        ChatCompletion completion = sdk(token).chat().completions().create(ChatCompletionCreateParams.builder()
                .model("json").addUserMessage("hi").maxCompletionTokens(50_000).build());

        assertThat(completion.choices().get(0).message().content()).hasValue("Hello!");
        Map<String, Object> row = onlyUsageRow(token);
        assertThat(row).containsEntry("channel", "up").containsEntry("outcome", "completed")
                .containsEntry("status", 200).containsEntry("prompt_tokens", 7L).containsEntry("completion_tokens", 2L);
        awaitBudgetUsed(token, 9);
    }

    @Test
    void aStream_reachesTheSdkWithoutTheUsageChunk_andIsMeteredByIt() {
        MintedToken token = token();

        StringBuilder text = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = sdk(token).chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("sse").addUserMessage("hi").build())) {
            stream.stream().forEach(chunk -> {
                assertThat(chunk.usage()).as("the usage the gateway asked for is not passed on").isEmpty();
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
            });
        }

        assertThat(text).isNotEmpty();
        Map<String, Object> row = onlyUsageRow(token);
        assertThat(row).containsEntry("outcome", "completed").containsEntry("prompt_tokens", 5L)
                .containsEntry("completion_tokens", 3L);
        awaitBudgetUsed(token, 8);
    }

    @Test
    void aClientThatLeavesMidStream_isMeteredAsAborted_andChargedWhatWasDelivered() throws Exception {
        MintedToken token = token();
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gatehouse.localUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + token.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"sse-endless\",\"stream\":true,\"max_tokens\":90000}"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.body().read()).isNotNegative();

        response.body().close();

        assertThat(upstream.endlessClosed.await(5, TimeUnit.SECONDS)).as("the upstream request was reset").isTrue();
        Map<String, Object> row = onlyUsageRow(token);
        assertThat(row).containsEntry("outcome", "aborted").containsEntry("status", 499);
        long delivered = (Long) row.get("prompt_tokens") + (Long) row.get("completion_tokens");
        assertThat(delivered).isPositive().isLessThan(90_000);
        awaitBudgetUsed(token, delivered);
    }

    private static MintedToken token() {
        return minter.mint(new MintRequest(TokenType.PAT, "bob", List.of("gateway"), Duration.ofHours(1),
                TestGateway.patClaims("acme")));
    }

    private static OpenAIClient sdk(MintedToken token) {
        return OpenAIOkHttpClient.builder().baseUrl(gatehouse.localUrl() + "/v1").apiKey(token.token()).maxRetries(0)
                .build();
    }

    /** The token's one usage row, once the batched sink has written it (and still one a moment later). */
    private static Map<String, Object> onlyUsageRow(MintedToken token) {
        Await.until("the usage row of " + token.tokenId(), Duration.ofSeconds(10), () -> !usageRows(token).isEmpty());
        sleep(300);
        List<Map<String, Object>> rows = usageRows(token);
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    private static List<Map<String, Object>> usageRows(MintedToken token) {
        return gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT channel, outcome, status, prompt_tokens, completion_tokens FROM usage_records WHERE token_id = :jti")
                .bind("jti", token.tokenId()).mapToMap().list()).stream()
                .map(row -> row.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                        entry -> entry.getValue() instanceof Integer i && !entry.getKey().equals("status")
                                ? (Object) i.longValue() : entry.getValue())))
                .toList();
    }

    /** Settling runs in the background: the budget reaches the real usage, and stays there. */
    private static void awaitBudgetUsed(MintedToken token, long expected) {
        Await.until("budget of " + token.tokenId() + " settled to " + expected, Duration.ofSeconds(10),
                () -> budgetUsed(token) == expected);
        sleep(300);
        assertThat(budgetUsed(token)).isEqualTo(expected);
    }

    private static long budgetUsed(MintedToken token) {
        return gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT COALESCE(SUM(used), 0) FROM budgets WHERE scope = 'token' AND subject = :jti")
                .bind("jti", token.tokenId()).mapTo(Long.class).one());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
