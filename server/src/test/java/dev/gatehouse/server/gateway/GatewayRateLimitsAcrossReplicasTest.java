package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.TwoReplicasOnPostgres;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.testing.PrometheusScrape;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-minute limits with {@code gateway.limits.store: redis}, through the whole gateway: two
 * Gatehouse replicas share one limit, and a Redis that does not answer fails closed with a 503.
 */
class GatewayRateLimitsAcrossReplicasTest {
    private static final String CHAT = "{\"model\":\"json\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    Path dir;

    private Vertx vertx;
    private FakeUpstream upstream;
    private TestRedis redis;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        upstream = FakeUpstream.start(vertx);
        redis = TestRedis.connect();
    }

    @AfterEach
    void stop() {
        upstream.close();
        vertx.close().await();
        redis.close();
    }

    @Test
    void twoReplicas_60ConcurrentRequestsOfOneToken_admitExactlyItsRequestsPerMinute() throws Exception {
        Map<String, String> env = limits(TestRedis.URL);
        env.put("GATEHOUSE_GATEWAY_LIMITS_TOKEN_REQUESTS_PER_MINUTE", "20");
        try (TwoReplicasOnPostgres replicas = TwoReplicasOnPostgres.start(dir, env);
                HttpClient client = HttpClient.newHttpClient()) {
            MintedToken token = token(replicas.a(), replicas.config());
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                Gatehouse replica = i % 2 == 0 ? replicas.a() : replicas.b();
                calls.add(client.sendAsync(chat(replica, token), HttpResponse.BodyHandlers.ofString()));
            }

            List<HttpResponse<String>> responses = calls.stream().map(CompletableFuture::join).toList();

            Map<Integer, Long> statuses = responses.stream()
                    .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
            assertThat(statuses).isEqualTo(Map.of(200, 20L, 429, 40L));
            HttpResponse<String> refused = responses.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
            assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("code"))
                    .isEqualTo("rate_limit_exceeded");
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(upstream.requests()).as("only the admitted requests went upstream").isEqualTo(20);
        }
    }

    @Test
    void redisAway_failClosed_answers503RateLimitsUnavailable_sendsNothingUpstream_andCountsIt() throws Exception {
        Map<String, String> env = limits(TestRedis.closedPortUrl());
        env.put("GATEHOUSE_GATEWAY_LIMITS_ORG_REQUESTS_PER_MINUTE", "1000");
        GatehouseConfig config = TestGatehouse.config(dir, env);
        try (Gatehouse gatehouse = Gatehouse.start(config)) {
            MintedToken token = token(gatehouse, config);

            HttpResponse<String> response = TestGatehouse.send(chat(gatehouse, token));

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(new JsonObject(response.body()).getJsonObject("error").getString("code"))
                    .isEqualTo("rate_limits_unavailable");
            assertThat(upstream.requests()).isZero();
            assertThat(PrometheusScrape.parse(PrometheusScrape.fetchText(gatehouse.managementUrl()))
                    .withLabel("decision", "refused").stream()
                    .filter(sample -> sample.name().equals("gatehouse_gateway_limits_redis_unavailable_total"))
                    .map(PrometheusScrape.Sample::value))
                    .containsExactly(1.0);
        }
    }

    private Map<String, String> limits(String redisUrl) {
        Map<String, String> env = new HashMap<>();
        env.put("GATEHOUSE_GATEWAY_LIMITS_STORE", "redis");
        env.put("GATEHOUSE_GATEWAY_LIMITS_REDIS_URL", redisUrl);
        env.put("GATEHOUSE_GATEWAY_LIMITS_REDIS_KEY_PREFIX", redis.keyPrefix());
        // Generous: on a busy machine the 200ms default would turn a slow answer into a 503.
        env.put("GATEHOUSE_GATEWAY_LIMITS_REDIS_CONNECT_TIMEOUT", "5s");
        env.put("GATEHOUSE_GATEWAY_LIMITS_REDIS_COMMAND_TIMEOUT", "2s");
        env.put("GATEHOUSE_GATEWAY_CHANNELS", new JsonArray().add(new JsonObject().put("name", "up")
                .put("provider", "fake").put("baseUrl", upstream.baseUrl()).put("models", new JsonArray(List.of("json"))))
                .encode());
        return env;
    }

    private static MintedToken token(Gatehouse gatehouse, GatehouseConfig config) {
        return SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), Clock.systemUTC())
                .mint(new MintRequest(TokenType.PAT, "bob", List.of("gateway"), Duration.ofHours(1),
                        TestGateway.patClaims("acme")));
    }

    private static HttpRequest chat(Gatehouse gatehouse, MintedToken token) {
        return HttpRequest.newBuilder(URI.create(gatehouse.localUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + token.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build();
    }
}
