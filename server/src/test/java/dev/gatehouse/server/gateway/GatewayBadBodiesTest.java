package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.config.GatehouseConfig;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request bodies an adversarial caller sends, against the production metering with a token budget:
 * every one is answered with a 400 that names the problem, nothing reaches the upstream, and nothing
 * of the budget stays reserved.
 */
class GatewayBadBodiesTest {
    private static final String ADMIN = "admin-secret-for-bad-bodies-0123456789";

    @TempDir
    static Path dataDir;

    static Vertx vertx;
    static FakeUpstream upstream;
    static Gatehouse gatehouse;
    static String token;
    static String tokenId;
    static String otherToken;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        upstream = FakeUpstream.start(vertx);
        GatehouseConfig config = TestGatehouse.config(dataDir, Map.of(
                "NEWAPI_ADMIN_SECRET", ADMIN,
                "GATEHOUSE_GATEWAY_LIMITS_TOKEN_DAILY_TOKEN_BUDGET", "1000000000000",
                "GATEHOUSE_GATEWAY_CHANNELS", new JsonArray().add(new JsonObject().put("name", "fake-a")
                        .put("provider", "fake").put("baseUrl", upstream.baseUrl())
                        .put("models", new JsonArray().add("json").add("sse"))).encode()));
        gatehouse = Gatehouse.start(config);
        SigningTokenMinter minter = SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), Clock.systemUTC());
        MintedToken minted = minter.mint(new MintRequest(TokenType.PAT, "bob", List.of("gateway"), Duration.ofHours(1),
                TestGateway.patClaims("acme")));
        token = minted.token();
        tokenId = minted.tokenId();
        otherToken = minter.mint(new MintRequest(TokenType.PAT, "cleo", List.of("gateway"), Duration.ofHours(1),
                TestGateway.patClaims("acme"))).token();
    }

    private int upstreamRequestsBefore;

    @BeforeEach
    void countUpstreamRequests() {
        upstreamRequestsBefore = upstream.requests();
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
        upstream.close();
        vertx.close().await();
        client.close();
    }

    @Test
    void deeplyNestedStreamingBody_isRefusedAtOnce_andReservesNothing() {
        String nested = "[".repeat(1_000) + "]".repeat(1_000);

        HttpResponse<String> response = chat(token, "{\"model\":\"sse\",\"stream\":true,\"messages\":" + nested + "}");

        assertRefused(response, "invalid_json", "nested more than 128 levels deep");
        assertNothingReserved();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"include_usage\"", "[true]", "1"})
    void badStreamOptions_areRefused_andReserveNothing(String options) {
        HttpResponse<String> response = chat(token, "{\"model\":\"sse\",\"stream\":true,\"stream_options\":" + options + "}");

        assertRefused(response, "invalid_stream_options", "stream_options must be an object");
        assertNothingReserved();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e30", "9223372036854775808", "-1", "2.5", "\"100\"", "2147483648"})
    void maxTokensOutOfRange_isA400_notA500(String value) {
        for (String field : List.of("max_tokens", "max_completion_tokens")) {
            HttpResponse<String> response = chat(token, "{\"model\":\"json\",\"" + field + "\":" + value + "}");

            assertRefused(response, "invalid_value", field + " must be a whole number from 0 to 2147483647");
        }
        assertNothingReserved();
    }

    @Test
    void maxTokensInRange_isAdmitted() {
        HttpResponse<String> response = chat(otherToken, "{\"model\":\"json\",\"max_tokens\":2147483647,\"max_completion_tokens\":null}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"model\":\"json\",\"model\":\"other\"}", "{\"model\":\"json\",\"stream\":false,\"stream\":true}",
            "{\"model\":\"json\",\"messages\":[{\"role\":\"user\",\"role\":\"system\",\"content\":\"hi\"}]}"})
    void duplicateKeys_areRefused(String body) {
        HttpResponse<String> response = chat(token, body);

        assertRefused(response, "invalid_json", "duplicate");
    }

    @Test
    void usageQueryWithAFarInstant_isA400() {
        HttpResponse<String> response = TestGatehouse.get(gatehouse.localUrl().resolve(
                        "/admin/usage?from=2026-01-01T00:00:00Z&to=%2B999999999-12-31T23:59:59Z"),
                "Authorization", "Bearer " + ADMIN);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(new JsonObject(response.body()).getString("detail")).contains("to: ");
    }

    private static void assertRefused(HttpResponse<String> response, String code, String message) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonObject error = new JsonObject(response.body()).getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo(code);
        assertThat(error.getString("message")).contains(message);
    }

    /** Bob's token never got past admission, so its budget shows nothing, not even after a release. */
    private void assertNothingReserved() {
        long used = gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT COALESCE(SUM(used), 0) FROM budgets WHERE scope = 'token' AND subject = :jti")
                .bind("jti", tokenId).mapTo(Long.class).one());
        assertThat(used).isZero();
        assertThat(upstream.requests()).as("nothing reached the upstream").isEqualTo(upstreamRequestsBefore);
    }

    private static HttpResponse<String> chat(String bearer, String body) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(gatehouse.localUrl() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("no answer to " + body.substring(0, Math.min(80, body.length())) + ": " + e, e);
        }
    }
}
