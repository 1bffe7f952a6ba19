package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.gateway.metering.Outcome;
import dev.gatehouse.server.gateway.metering.UsageRecord;
import dev.gatehouse.server.tokens.MintRequest;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway end to end: a real Gatehouse on a free port, real fake upstreams speaking OpenAI's
 * wire format, the official OpenAI Java SDK and java.net.http as clients, tokens minted through the
 * bridge. Every rejection checks the status, the OpenAI error code and that no upstream saw the request.
 */
class GatewayRelayTest {
    static final String ADMIN = "admin-secret-for-gateway-tests-0123456789";
    static final String UPSTREAM_KEY = "upstream-key-a-0123456789";

    @TempDir
    static Path dataDir;

    static Vertx vertx;
    static FakeUpstream ok;
    static FakeUpstream fail500;
    static FakeUpstream fail429;
    static FakeUpstream dead;
    static TestMetering metering = new TestMetering();
    static GatehouseConfig config;
    static Gatehouse gatehouse;
    static String sandbox;
    static String token;
    static String restrictedToken;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        ok = FakeUpstream.start(vertx);
        fail500 = FakeUpstream.start(vertx, 500);
        fail429 = FakeUpstream.start(vertx, 429);
        dead = FakeUpstream.start(vertx, 503);
        Path keyFile = Files.writeString(dataDir.resolve("qwen-key"), UPSTREAM_KEY + "\n");
        JsonArray channels = new JsonArray()
                .add(channel("qwen-a", "qwen", ok.baseUrl(), 0)
                        .put("apiKeyFile", keyFile.toString())
                        .put("models", new JsonArray(List.of("json", "json-fragmented", "sse", "sse-slow", "sse-3s", "sse-2mb", "sse-reset",
                                "sse-endless", "sse-stall", "hang"))))
                .add(channel("other-a", "other", ok.baseUrl(), 0).put("models", new JsonArray(List.of("other-model"))))
                .add(channel("flaky-500", "flaky", fail500.baseUrl(), 0).put("models", new JsonArray(List.of("json", "sse"))))
                .add(channel("flaky-429", "flaky", fail429.baseUrl(), 0).put("models", new JsonArray(List.of("json"))))
                .add(channel("flaky-down", "flaky", FakeUpstream.unreachableBaseUrl(), 0)
                        .put("models", new JsonArray(List.of("json"))))
                .add(channel("flaky-ok", "flaky", ok.baseUrl(), 1).put("models", new JsonArray(List.of("json", "sse"))))
                .add(channel("dead-a", "dead", dead.baseUrl(), 0).put("models", new JsonArray(List.of("json"))));
        config = TestGatehouse.config(dataDir, Map.of(
                "NEWAPI_ADMIN_SECRET", ADMIN,
                "GATEHOUSE_GATEWAY_CHANNELS", channels.encode(),
                "GATEHOUSE_GATEWAY_DEFAULT_PROVIDER", "qwen",
                "GATEHOUSE_GATEWAY_FIRST_BYTE_TIMEOUT", "1s",
                "GATEHOUSE_GATEWAY_IDLE_TIMEOUT", "1s",
                "GATEHOUSE_GATEWAY_MAX_REQUEST_BYTES", "64KiB",
                "GATEHOUSE_GATEWAY_CHANNEL_FAILURE_THRESHOLD", "3",
                "GATEHOUSE_GATEWAY_CHANNEL_PROBE_INTERVAL", "1h"));
        gatehouse = Gatehouse.start(config, metering.parts());
        sandbox = "sb-" + UUID.randomUUID();
        token = sandboxToken(sandbox, "acme", List.of("qwen-a", "flaky-500", "flaky-429", "flaky-down", "flaky-ok", "dead-a"));
        restrictedToken = sandboxToken("sb-" + UUID.randomUUID(), "acme", List.of("qwen-a"));
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
        vertx.close().await();
    }

    // --- happy paths with the official OpenAI SDK -------------------------------------------------

    @Test
    void sdk_chatCompletion_relayedWithTheChannelKey_usageRecordedAsCompleted() {
        ChatCompletion completion = sdk(token).chat().completions().create(ChatCompletionCreateParams.builder()
                .model("json").addUserMessage("hi").build());

        assertThat(completion.choices().get(0).message().content()).hasValue("Hello!");
        FakeUpstream.Seen seen = lastSeen(ok);
        assertThat(seen.path()).isEqualTo("/v1/chat/completions");
        assertThat(seen.authorization()).isEqualTo("Bearer " + UPSTREAM_KEY);
        assertThat(seen.body().getString("model")).isEqualTo("json");
        UsageRecord record = lastRecord(sandbox);
        assertThat(record.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(record.channel()).isEqualTo("qwen-a");
        assertThat(record.promptTokens()).isEqualTo(7);
        assertThat(record.completionTokens()).isEqualTo(2);
        assertThat(record.caller().organization()).isEqualTo("acme");
        assertThat(record.caller().user()).isEqualTo("alice@acme.test");
        assertThat(record.caller().tokenType()).isEqualTo("sandbox");
    }

    @Test
    void sdk_streaming_deltasArrive_upstreamAskedForUsage_usageMetered() {
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = sdk(token).chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("sse").addUserMessage("hi").build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append)));
        }

        assertThat(text.toString()).isEqualTo("Hello");
        assertThat(lastSeen(ok).body().getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
        UsageRecord record = lastRecord(sandbox);
        assertThat(record.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(record.promptTokens()).isEqualTo(5);
        assertThat(record.completionTokens()).isEqualTo(3);
    }

    @Test
    void sdk_embeddings_relayed() {
        CreateEmbeddingResponse response = sdk(token).embeddings().create(EmbeddingCreateParams.builder()
                .model("json").input("hi").build());

        assertThat(response.data()).hasSize(1);
        assertThat(lastSeen(ok).path()).isEqualTo("/v1/embeddings");
    }

    @Test
    void sdk_models_listsOnlyWhatTheCallerMayUse() {
        List<String> restricted = sdk(restrictedToken).models().list().data().stream().map(Model::id).toList();
        List<String> other = sdk(token).models().list().data().stream().map(Model::id).toList();

        assertThat(restricted).containsExactlyInAnyOrder("json", "json-fragmented", "sse", "sse-3s", "sse-slow", "sse-2mb", "sse-reset",
                "sse-endless", "sse-stall", "hang");
        assertThat(other).doesNotContain("other-model");
    }

    // --- streaming details ------------------------------------------------------------------------

    @Test
    void completions_relayed_withServerTiming() {
        HttpResponse<String> response = post("/v1/completions", token, "{\"model\":\"json\",\"prompt\":\"hi\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(lastSeen(ok).path()).isEqualTo("/v1/completions");
        assertThat(response.headers().firstValue("Server-Timing")).hasValueSatisfying(
                value -> assertThat(value).matches("gateway;dur=\\d+\\.\\d{3}"));
    }

    @Test
    void json_inOnePieceOrFragmented_relayedIntact_withTheUpstreamsFraming_usageMetered() {
        HttpResponse<String> whole = post("/v1/chat/completions", token, "{\"model\":\"json\"}");
        UsageRecord wholeRecord = lastRecord(sandbox);
        HttpResponse<String> fragmented = post("/v1/chat/completions", token, "{\"model\":\"json-fragmented\"}");
        UsageRecord fragmentedRecord = lastRecord(sandbox);

        assertThat(whole.body()).isEqualTo(new JsonObject(FakeUpstream.CHAT_COMPLETION).encode());
        assertThat(whole.headers().firstValue("Content-Length")).hasValue(String.valueOf(whole.body().length()));
        assertThat(fragmented.body()).isEqualTo(FakeUpstream.CHAT_COMPLETION);
        assertThat(fragmented.headers().firstValue("Content-Length")).isEmpty();
        for (UsageRecord record : List.of(wholeRecord, fragmentedRecord)) {
            assertThat(record.outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(record.promptTokens()).isEqualTo(7);
            assertThat(record.completionTokens()).isEqualTo(2);
        }
        assertThat(fragmentedRecord.requestId()).isNotEqualTo(wholeRecord.requestId());
    }

    @Test
    void sse_keepAliveCommentsAndFragmentedSlowChunks_passThroughIntact_usageChunkOnlyWhenAskedFor() {
        HttpResponse<String> slow = post("/v1/chat/completions", token, "{\"model\":\"sse-slow\",\"stream\":true}");
        UsageRecord metered = lastRecord(sandbox);
        HttpResponse<String> asked = post("/v1/chat/completions", token,
                "{\"model\":\"sse-slow\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        HttpResponse<String> plain = post("/v1/chat/completions", token, "{\"model\":\"sse\",\"stream\":true}");

        assertThat(slow.statusCode()).isEqualTo(200);
        assertThat(slow.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        String content = FakeUpstream.chunk("a") + ": ping\n\n" + FakeUpstream.chunk("b") + FakeUpstream.chunk("c");
        assertThat(slow.body()).as("the usage chunk the gateway asked for is not passed on")
                .isEqualTo(content + "data: [DONE]\n\n");
        assertThat(metered.promptTokens()).isEqualTo(5);
        assertThat(metered.completionTokens()).isEqualTo(3);
        assertThat(asked.body()).isEqualTo(content + FakeUpstream.usageChunk() + "data: [DONE]\n\n");
        assertThat(plain.body()).startsWith(": keep-alive\n\n");
    }

    @Test
    void sse_a2MegabyteLine_relayedWhole_usageStillMetered() {
        HttpResponse<String> response = post("/v1/chat/completions", token, "{\"model\":\"sse-2mb\",\"stream\":true}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith(FakeUpstream.chunk("x".repeat(2 * 1024 * 1024))).endsWith("data: [DONE]\n\n");
        UsageRecord record = lastRecord(sandbox);
        assertThat(record.model()).isEqualTo("sse-2mb");
        assertThat(record.completionTokens()).isEqualTo(3);
    }

    @Test
    void sse_firstChunkReachesTheClientBeforeTheUpstreamEnds_thenIdleTimeoutAborts() throws Exception {
        long start = System.nanoTime();
        HttpResponse<InputStream> response = streaming("{\"model\":\"sse-stall\",\"stream\":true}");
        String first = readUntil(response.body(), "\n\n");
        long firstMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(first).isEqualTo(FakeUpstream.chunk("first"));
        assertThat(firstMillis).isLessThan(900);
        assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
                .startsWith("data: {\"error\":").contains("\"code\":\"upstream_timeout\"").endsWith("}}\n\n");
        awaitRecord(r -> r.model().equals("sse-stall"));
        UsageRecord record = records(r -> r.model().equals("sse-stall")).get(0);
        assertThat(record.outcome()).isEqualTo(Outcome.ABORTED);
        assertThat(record.status()).isEqualTo(504);
    }

    @Test
    void upstreamResetsMidStream_clientSeesAnErrorEventThenTheEnd_usageRecordedAsAborted() throws Exception {
        HttpResponse<InputStream> response = streaming("{\"model\":\"sse-reset\",\"stream\":true}");

        assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(
                FakeUpstream.chunk("partial") + FakeUpstream.chunk(" more") + "data: {\"error\":{\"message\":\"The upstream's"
                        + " connection broke off mid-response; the response is incomplete.\",\"type\":\"api_error\","
                        + "\"param\":null,\"code\":\"upstream_stream_broken\"}}\n\n");
        awaitRecord(r -> r.model().equals("sse-reset"));
        assertThat(records(r -> r.model().equals("sse-reset")).get(0).outcome()).isEqualTo(Outcome.ABORTED);
    }

    @Test
    void aStreamLongerThanTheIdleTimeout_withShorterPauses_isRelayedWhole() {
        HttpResponse<String> response = post("/v1/chat/completions", token, "{\"model\":\"sse-3s\",\"stream\":true}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(FakeUpstream.chunk("t").repeat(15) + "data: [DONE]\n\n");
        UsageRecord record = lastRecord(sandbox);
        assertThat(record.model()).isEqualTo("sse-3s");
        assertThat(record.outcome()).isEqualTo(Outcome.COMPLETED);
    }

    @Test
    void clientDisconnectsMidStream_upstreamConnectionIsClosed_usageRecordedAsAborted() throws Exception {
        HttpResponse<InputStream> response = streaming("{\"model\":\"sse-endless\",\"stream\":true}");
        assertThat(readUntil(response.body(), "\n\n")).isEqualTo(FakeUpstream.chunk("tick"));

        response.body().close();

        assertThat(ok.endlessClosed.await(5, TimeUnit.SECONDS)).as("upstream saw its connection closed").isTrue();
        awaitRecord(r -> r.model().equals("sse-endless"));
        UsageRecord record = records(r -> r.model().equals("sse-endless")).get(0);
        assertThat(record.outcome()).isEqualTo(Outcome.ABORTED);
        assertThat(record.status()).isEqualTo(499);
    }

    // --- failover, health, timeouts ---------------------------------------------------------------

    @Test
    void failingFirstTier_connectError429And500_failOverToTheNextTier() {
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = post("/v1/chat/completions?provider=flaky", token, "{\"model\":\"json\"}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(lastRecord(sandbox).channel()).isEqualTo("flaky-ok");
        }
        HttpResponse<String> streamed = post("/v1/chat/completions?provider=flaky", token, "{\"model\":\"sse\",\"stream\":true}");
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).endsWith("data: [DONE]\n\n");
    }

    @Test
    void aChannelFailingRepeatedly_isTakenOut_thenRequestsNoLongerReachIt() {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = post("/v1/chat/completions?provider=dead", token, "{\"model\":\"json\"}");
            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(errorCode(response)).isEqualTo("upstream_error");
        }
        int seen = dead.requests();

        HttpResponse<String> response = post("/v1/chat/completions?provider=dead", token, "{\"model\":\"json\"}");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(errorCode(response)).isEqualTo("channels_unavailable");
        assertThat(dead.requests()).isEqualTo(seen);
    }

    @Test
    void upstreamThatNeverAnswers_is504_afterTheFirstByteTimeout() {
        HttpResponse<String> response = post("/v1/chat/completions", token, "{\"model\":\"hang\"}");

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(errorCode(response)).isEqualTo("upstream_timeout");
        assertThat(new JsonObject(response.body()).getJsonObject("error").getString("type")).isEqualTo("api_error");
    }

    // --- credentials ------------------------------------------------------------------------------

    @Test
    void patForTheGateway_isAccepted_patForAnotherAudience_isNot() {
        String gatewayPat = mint(TokenType.PAT, "bob", List.of("gateway"), Clock.systemUTC());
        String otherPat = mint(TokenType.PAT, "bob", List.of("billing"), Clock.systemUTC());

        assertThat(post("/v1/chat/completions", gatewayPat, "{\"model\":\"json\"}").statusCode()).isEqualTo(200);
        assertRefused(post("/v1/chat/completions", otherPat, "{\"model\":\"json\"}"), 401, "wrong_audience");
    }

    @Test
    void badCredentials_are401_andNothingGoesUpstream() throws Exception {
        String session = mint(TokenType.SESSION, "carol", List.of(TestGatehouse.ISSUER), Clock.systemUTC());
        String expired = sandboxTokenAt(Clock.fixed(Instant.now().minus(Duration.ofDays(8)), ZoneOffset.UTC));
        var foreignKey = new ECKeyGenerator(Curve.P_256).keyID(gatehouse.keyRing().activeSigningKey().getKeyID()).generate();
        String forged = TestGatehouse.signEs256(foreignKey, com.nimbusds.jwt.SignedJWT.parse(token).getJWTClaimsSet());

        assertRefused(post("/v1/chat/completions", null, "{\"model\":\"json\"}"), 401, "missing_token");
        assertRefused(post("/v1/chat/completions", "not-a-jwt", "{\"model\":\"json\"}"), 401, "malformed_token");
        assertRefused(post("/v1/chat/completions", forged, "{\"model\":\"json\"}"), 401, "bad_signature");
        assertRefused(post("/v1/chat/completions", expired, "{\"model\":\"json\"}"), 401, "token_expired");
        assertRefused(post("/v1/chat/completions", session, "{\"model\":\"json\"}"), 401, "wrong_token_type");
        assertRefused(get("/v1/models", forged), 401, "bad_signature");
    }

    @Test
    void revokedSandbox_itsTokenIsRefusedAtOnce() {
        String revokedSandbox = "sb-" + UUID.randomUUID();
        String revokedToken = sandboxToken(revokedSandbox, "acme", List.of("qwen-a"));
        assertThat(post("/v1/chat/completions", revokedToken, "{\"model\":\"json\"}").statusCode()).isEqualTo(200);

        HttpResponse<String> revoke = TestGatehouse.send(HttpRequest.newBuilder(url("/admin/tokens/sandbox/" + revokedSandbox))
                .header("Authorization", "Bearer " + ADMIN).DELETE().build());
        assertThat(revoke.statusCode()).isEqualTo(200);

        assertRefused(post("/v1/chat/completions", revokedToken, "{\"model\":\"json\"}"), 401, "token_revoked");
    }

    // --- routing and request refusals -------------------------------------------------------------

    @Test
    void routingAndBodyRefusals_areClear4xx_andNothingGoesUpstream() {
        assertRefused(post("/v1/chat/completions?provider=other", restrictedToken, "{\"model\":\"other-model\"}"),
                403, "channel_not_allowed");
        assertRefused(post("/v1/chat/completions", token, "{\"model\":\"gpt-nope\"}"), 404, "model_not_found");
        assertRefused(post("/v1/chat/completions?provider=nope", token, "{\"model\":\"json\"}"), 400, "provider_not_found");
        assertRefused(post("/v1/chat/completions", token, "{\"model\":\"json\""), 400, "invalid_json");
        assertRefused(post("/v1/chat/completions", token, "[1,2]"), 400, "invalid_json");
        assertRefused(post("/v1/chat/completions", token, "{\"messages\":[]}"), 400, "missing_model");
        assertRefused(post("/v1/chat/completions", token, "{\"model\":\"json\",\"stream\":\"yes\"}"), 400, "invalid_type");
        assertRefused(post("/v1/chat/completions", token,
                "{\"model\":\"json\",\"prompt\":\"" + "x".repeat(70 * 1024) + "\"}"), 413, "request_too_large");
        assertRefused(get("/v1/chat/completions", token), 405, "method_not_allowed");
        assertRefused(get("/v1/nothing-here", token), 404, "unknown_url");
    }

    @Test
    void overTheLimit_is429WithRetryAfter_andNothingGoesUpstream() {
        String broke = sandboxToken("sb-" + UUID.randomUUID(), TestMetering.BROKE_ORG, List.of("qwen-a"));
        HttpResponse<String> response = post("/v1/chat/completions", broke, "{\"model\":\"json\"}");

        assertRefused(response, 429, "rate_limit_exceeded");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("42");
    }

    // --- helpers ----------------------------------------------------------------------------------

    static JsonObject channel(String name, String provider, String baseUrl, int priority) {
        return new JsonObject().put("name", name).put("provider", provider).put("baseUrl", baseUrl).put("priority", priority);
    }

    static String sandboxToken(String sandboxId, String org, List<String> channels) {
        HttpResponse<String> response = TestGatehouse.send(HttpRequest.newBuilder(url("/admin/tokens/sandbox"))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("org_id", org).put("user_id", "alice@acme.test")
                        .put("sandbox_id", sandboxId).put("allowed_channels", new JsonArray(channels)).encode()))
                .build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body()).getString("token");
    }

    static String sandboxTokenAt(Clock clock) {
        return SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), clock).mint(new MintRequest(TokenType.SANDBOX,
                "sb-old", List.of(), Duration.ofDays(7), Map.of("org", "acme", "user", "u", "channels", List.of("qwen-a"))))
                .token();
    }

    static String mint(TokenType type, String subject, List<String> audience, Clock clock) {
        return SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), clock).mint(new MintRequest(type, subject,
                audience, Duration.ofHours(1), TestGateway.patClaims("acme"))).token();
    }

    static OpenAIClient sdk(String apiKey) {
        return OpenAIOkHttpClient.builder().baseUrl(gatehouse.localUrl() + "/v1").apiKey(apiKey).maxRetries(0).build();
    }

    static URI url(String path) {
        return gatehouse.localUrl().resolve(path);
    }

    static HttpResponse<String> post(String path, String bearer, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return TestGatehouse.send(request.build());
    }

    static HttpResponse<String> get(String path, String bearer) {
        return TestGatehouse.get(url(path), "Authorization", "Bearer " + bearer);
    }

    static HttpResponse<InputStream> streaming(String body) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        return client.send(HttpRequest.newBuilder(url("/v1/chat/completions"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder text = new StringBuilder();
        while (!text.toString().endsWith(end)) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            text.append((char) b);
        }
        return text.toString();
    }

    /** Status, OpenAI error code, and no upstream saw anything. */
    static void assertRefused(HttpResponse<String> response, int status, String code) {
        int before = upstreamRequests();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonObject error = new JsonObject(response.body()).getJsonObject("error");
        assertThat(error.fieldNames()).contains("message", "type", "param", "code");
        assertThat(error.getString("code")).isEqualTo(code);
        assertThat(response.body()).doesNotContain(UPSTREAM_KEY);
        assertThat(upstreamRequests()).isEqualTo(before);
    }

    static int upstreamRequests() {
        return ok.requests() + fail500.requests() + fail429.requests() + dead.requests();
    }

    static FakeUpstream.Seen lastSeen(FakeUpstream upstream) {
        return upstream.seen.stream().reduce((a, b) -> b).orElseThrow();
    }

    static UsageRecord lastRecord(String sandboxId) {
        List<UsageRecord> records = metering.recordsFor(sandboxId);
        assertThat(records).isNotEmpty();
        return records.get(records.size() - 1);
    }

    static List<UsageRecord> records(java.util.function.Predicate<UsageRecord> filter) {
        return metering.records.stream().filter(filter).collect(Collectors.toList());
    }

    static void awaitRecord(java.util.function.Predicate<UsageRecord> filter) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (records(filter).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(records(filter)).isNotEmpty();
    }

    static String errorCode(HttpResponse<String> response) {
        return new JsonObject(response.body()).getJsonObject("error").getString("code");
    }
}
