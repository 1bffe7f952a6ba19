package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.SseException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.TwoReplicasOnPostgres;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.testing.TestRedis;
import dev.gatehouse.server.tokens.MintRequest;
import dev.gatehouse.server.tokens.MintedToken;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Budgets hold under load: 300 concurrent streaming requests, none stating max_tokens, against an
 * upstream that streams 1,000 completion tokens for each whatever it is asked, spread over ten
 * tokens of one organization with a token budget, an organization budget and a spend budget; on
 * SQLite and on PostgreSQL, through the whole server, and over two replicas whose per-minute
 * limits are in Redis.
 */
class GatewayBudgetsHoldTest {
    private static final int REQUESTS = 300;
    private static final int TOKENS = 10;
    private static final long TOKEN_BUDGET = 1_000;
    private static final long ORG_BUDGET = 5_000;
    /** 0.008 EUR: at 1 µEUR a prompt token and 2 a completion token, about 4,000 completion tokens. */
    private static final long SPEND_BUDGET_MICROS = 8_000;

    @TempDir
    Path dataDir;

    private Vertx vertx;
    private FakeUpstream upstream;
    private TestStore store;
    private Gatehouse gatehouse;
    private TwoReplicasOnPostgres replicas;
    private TestRedis redis;
    private SigningTokenMinter minter;

    @AfterEach
    void stop() throws Exception {
        if (replicas != null) {
            replicas.close();
        } else if (gatehouse != null) {
            gatehouse.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
        if (store != null) {
            store.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void threeHundredConcurrentStreams_neverTakeABudgetPastItsLimit(TestDatabases.Kind kind) throws Exception {
        start(kind);
        threeHundredConcurrentStreams(List.of(gatehouse.localUrl()), kind.toString());
    }

    @Test
    void threeHundredConcurrentStreams_overTwoReplicasWithRedisLimits_neverTakeABudgetPastItsLimit() throws Exception {
        vertx = Vertx.vertx();
        upstream = FakeUpstream.start(vertx);
        redis = TestRedis.connect();
        Map<String, String> env = budgets();
        env.put("GATEHOUSE_GATEWAY_LIMITS_STORE", "redis");
        env.put("GATEHOUSE_GATEWAY_LIMITS_REDIS_URL", TestRedis.URL);
        env.put("GATEHOUSE_GATEWAY_LIMITS_REDIS_KEY_PREFIX", redis.keyPrefix());
        env.put("GATEHOUSE_GATEWAY_LIMITS_REDIS_COMMAND_TIMEOUT", "2s");
        env.put("GATEHOUSE_GATEWAY_LIMITS_ORG_REQUESTS_PER_MINUTE", "100000");
        replicas = TwoReplicasOnPostgres.start(dataDir, env);
        gatehouse = replicas.a();
        minter = SigningTokenMinter.of(gatehouse.keyRing(), replicas.config().tokens(), Clock.systemUTC());

        threeHundredConcurrentStreams(List.of(replicas.a().localUrl(), replicas.b().localUrl()),
                "two replicas on POSTGRES with Redis limits");
    }

    private void threeHundredConcurrentStreams(List<URI> replicaUrls, String where) throws Exception {
        List<MintedToken> tokens = IntStream.range(0, TOKENS).mapToObj(i -> token()).toList();
        HttpClient client = HttpClient.newHttpClient();
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        List<CompletableFuture<?>> running = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            URI replica = replicaUrls.get(i % replicaUrls.size());
            HttpRequest request = HttpRequest.newBuilder(URI.create(replica + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + tokens.get(i % TOKENS).token())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"sse-1000\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                    .build();
            running.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenAccept(response ->
                    outcomes.computeIfAbsent(outcome(response), k -> new AtomicInteger()).incrementAndGet()));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get();

        assertThat(outcomes.keySet()).as("every request answered, none with a server error")
                .isSubsetOf("completed", "cut at the budget", "429 insufficient_quota");
        assertThat(outcomes.get("429 insufficient_quota")).isNotNull();
        assertThat(outcomes.get("cut at the budget")).as("streams cut where their budget ran out").isNotNull();
        int admitted = REQUESTS - outcomes.get("429 insufficient_quota").get();
        Await.until("the usage of every admitted request", Duration.ofSeconds(20), () -> usageRows() == admitted);
        Await.until("every settlement written", Duration.ofSeconds(20),
                () -> budgetUsed("organization", "acme", "tokens") == recordedTokens());
        System.out.printf("budgets after %d concurrent streams on %s: %s; token budgets used %s of %d;"
                        + " organization %d of %d tokens, %d of %d spend micros%n", REQUESTS, where, outcomes,
                tokens.stream().map(token -> budgetUsed("token", token.tokenId(), "tokens")).toList(), TOKEN_BUDGET,
                budgetUsed("organization", "acme", "tokens"), ORG_BUDGET, budgetUsed("organization", "acme", "spend"),
                SPEND_BUDGET_MICROS);
        for (MintedToken token : tokens) {
            assertThat(budgetUsed("token", token.tokenId(), "tokens")).isBetween(0L, TOKEN_BUDGET);
        }
        assertThat(budgetUsed("organization", "acme", "tokens")).isBetween(ORG_BUDGET / 2, ORG_BUDGET)
                .isEqualTo(tokens.stream().mapToLong(token -> budgetUsed("token", token.tokenId(), "tokens")).sum());
        assertThat(budgetUsed("organization", "acme", "spend")).isBetween(1L, SPEND_BUDGET_MICROS)
                .isEqualTo(recordedSpend());
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabases.Kind.class, names = "SQLITE")
    void aStreamCutAtTheBudget_reachesTheSdkAsAnInsufficientQuotaError(TestDatabases.Kind kind) {
        start(kind);
        MintedToken token = token();
        StringBuilder text = new StringBuilder();

        assertThatThrownBy(() -> {
            try (StreamResponse<ChatCompletionChunk> stream = OpenAIOkHttpClient.builder()
                    .baseUrl(gatehouse.localUrl() + "/v1").apiKey(token.token()).maxRetries(0).build()
                    .chat().completions().createStreaming(ChatCompletionCreateParams.builder().model("sse-1000")
                            .addUserMessage("hi").build())) {
                stream.stream().forEach(chunk ->
                        chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append)));
            }
        }).isInstanceOf(SseException.class).hasMessageContaining("Budget exhausted: the response was cut after");

        assertThat(text.length()).as("what the budget paid for was delivered").isBetween(900, 999);
        Await.until("the settlement", Duration.ofSeconds(10),
                () -> budgetUsed("token", token.tokenId(), "tokens") == recordedTokens());
        assertThat(budgetUsed("token", token.tokenId(), "tokens")).isLessThanOrEqualTo(TOKEN_BUDGET);
    }

    private void start(TestDatabases.Kind kind) {
        vertx = Vertx.vertx();
        upstream = FakeUpstream.start(vertx);
        Map<String, String> env = budgets();
        if (kind == TestDatabases.Kind.POSTGRES) {
            store = TestDatabases.postgres();
            env.putAll(TwoReplicasOnPostgres.storeAndKek(store.config()));
        }
        GatehouseConfig config = TestGatehouse.config(dataDir, env);
        gatehouse = Gatehouse.start(config);
        minter = SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), Clock.systemUTC());
    }

    /** The three budgets, and the channel with its price, as environment overrides. */
    private Map<String, String> budgets() {
        Map<String, String> env = new HashMap<>();
        env.put("GATEHOUSE_GATEWAY_LIMITS_TOKEN_DAILY_TOKEN_BUDGET", String.valueOf(TOKEN_BUDGET));
        env.put("GATEHOUSE_GATEWAY_LIMITS_ORG_DAILY_TOKEN_BUDGET", String.valueOf(ORG_BUDGET));
        env.put("GATEHOUSE_GATEWAY_LIMITS_BUDGETS", new JsonArray().add(new JsonObject()
                .put("scope", "organization").put("period", "monthly").put("spend", "0.008")).encode());
        env.put("GATEHOUSE_GATEWAY_CURRENCY", "EUR");
        env.put("GATEHOUSE_GATEWAY_CHANNELS", new JsonArray().add(new JsonObject().put("name", "up")
                .put("provider", "fake").put("baseUrl", upstream.baseUrl()).put("models", new JsonArray().add("sse-1000"))
                .put("prices", new JsonObject().put("sse-1000", new JsonObject().put("input", 1).put("output", 2))))
                .encode());
        return env;
    }

    private MintedToken token() {
        return minter.mint(new MintRequest(TokenType.PAT, "bob", List.of("gateway"), Duration.ofHours(1),
                TestGateway.patClaims("acme")));
    }

    private static String outcome(HttpResponse<String> response) {
        if (response.statusCode() == 429 && response.body().contains("insufficient_quota")) {
            return "429 insufficient_quota";
        }
        if (response.statusCode() != 200) {
            return response.statusCode() + " " + response.body();
        }
        if (response.body().contains("\"code\":\"insufficient_quota\"") && !response.body().contains("[DONE]")) {
            return "cut at the budget";
        }
        return response.body().endsWith("data: [DONE]\n\n") ? "completed" : "malformed: " + response.body();
    }

    private long budgetUsed(String scope, String subject, String unit) {
        return gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT COALESCE(SUM(used), 0) FROM budgets WHERE scope = :scope AND subject = :subject"
                                + " AND unit = :unit AND period <> 'total'")
                .bind("scope", scope).bind("subject", subject).bind("unit", unit).mapTo(Long.class).one());
    }

    private long usageRows() {
        return query("SELECT COUNT(*) FROM usage_records");
    }

    private long recordedTokens() {
        return query("SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) FROM usage_records");
    }

    private long recordedSpend() {
        return query("SELECT COALESCE(SUM(spend_micros), 0) FROM usage_records");
    }

    private long query(String sql) {
        return gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(sql).mapTo(Long.class).one());
    }
}
