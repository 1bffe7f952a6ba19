package dev.gatehouse.server.gateway;

import static dev.gatehouse.server.gateway.TestGateway.channel;
import static dev.gatehouse.server.gateway.TestGateway.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Legacy NewAPI sandbox tokens (HS256 with the shared secret, no {@code jti}, no {@code kid}) each
 * have an identity of their own, derived from the token: limited and metered by it, shown by
 * introspection; and revoking their sandbox revokes them, at the gateway and at introspection alike.
 */
class LegacySandboxTokensTest {
    static final String SHARED_SECRET = "newapi-shared-secret-0123456789abcdef";
    static final String ADMIN_SECRET = "admin-secret-0123456789abcdef0123456789";
    static final int REQUESTS_PER_MINUTE = 2;

    @TempDir
    static Path dataDir;

    static Vertx vertx;
    static FakeUpstream upstream;
    static Gatehouse gatehouse;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        upstream = FakeUpstream.start(vertx);
        gatehouse = Gatehouse.start(TestGatehouse.config(dataDir, Map.of(
                "NEWAPI_TOKEN_SIGNING_KEY", SHARED_SECRET,
                "NEWAPI_ADMIN_SECRET", ADMIN_SECRET,
                "GATEHOUSE_GATEWAY_CHANNELS", new JsonArray().add(channel("qwen-a", "qwen", upstream, "json")).encode(),
                "GATEHOUSE_GATEWAY_DEFAULT_PROVIDER", "qwen",
                "GATEHOUSE_GATEWAY_LIMITS_TOKEN_REQUESTS_PER_MINUTE", String.valueOf(REQUESTS_PER_MINUTE))));
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
        vertx.close().await();
    }

    @Test
    void twoSandboxesLegacyTokens_areLimitedAndMeteredEachByItsOwnId_shownByIntrospection() throws Exception {
        String sandboxA = "sb-" + UUID.randomUUID();
        String sandboxB = "sb-" + UUID.randomUUID();
        String tokenA = legacy(sandboxA, "acme", Instant.now());
        String tokenB = legacy(sandboxB, "globex", Instant.now());
        for (int i = 0; i < REQUESTS_PER_MINUTE; i++) {
            assertThat(chat(tokenA).statusCode()).isEqualTo(200);
        }

        HttpResponse<String> limited = chat(tokenA);
        HttpResponse<String> other = chat(tokenB);

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(other.statusCode()).as("another sandbox's legacy token is not throttled by A's").isEqualTo(200);
        String idA = TestGatehouse.introspect(gatehouse, ADMIN_SECRET, tokenA).getString("jti");
        String idB = TestGatehouse.introspect(gatehouse, ADMIN_SECRET, tokenB).getString("jti");
        assertThat(idA).matches("legacy-[A-Za-z0-9_-]{22}").isNotEqualTo(idB);
        assertThat(idB).matches("legacy-[A-Za-z0-9_-]{22}");
        assertThat(TestGatehouse.introspect(gatehouse, ADMIN_SECRET, tokenA).getString("jti")).as("stable").isEqualTo(idA);
        Await.until("the admitted requests' usage records written", Duration.ofSeconds(5),
                () -> usageTokenIds(sandboxA).size() == REQUESTS_PER_MINUTE);
        assertThat(usageTokenIds(sandboxA)).containsOnly(idA);
        Await.until("B's usage record written", Duration.ofSeconds(5), () -> usageTokenIds(sandboxB).size() == 1);
        assertThat(usageTokenIds(sandboxB)).containsOnly(idB);
    }

    @Test
    void revokingTheSandbox_revokesItsLegacyTokens_gatewayAndIntrospectionAgree_othersAndLaterTokensUnaffected()
            throws Exception {
        String sandbox = "sb-" + UUID.randomUUID();
        String legacy = legacy(sandbox, "acme", Instant.now().minusSeconds(60));
        String otherSandbox = legacy("sb-" + UUID.randomUUID(), "acme", Instant.now().minusSeconds(60));
        assertThat(chat(legacy).statusCode()).isEqualTo(200);
        assertThat(TestGatehouse.introspect(gatehouse, ADMIN_SECRET, legacy).getBoolean("active")).isTrue();

        HttpResponse<String> revoked = TestGatehouse.send(HttpRequest.newBuilder(
                        gatehouse.localUrl().resolve("/admin/tokens/sandbox/" + sandbox))
                .header("Authorization", "Bearer " + ADMIN_SECRET).DELETE().build());

        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        HttpResponse<String> refused = chat(legacy);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(errorCode(refused)).isEqualTo("token_revoked");
        assertThat(TestGatehouse.introspect(gatehouse, ADMIN_SECRET, legacy)).isEqualTo(new JsonObject().put("active", false));
        assertThat(chat(otherSandbox).statusCode()).as("another sandbox's token").isEqualTo(200);
        String issuedAfter = legacy(sandbox, "acme", Instant.now().plusSeconds(2));
        assertThat(chat(issuedAfter).statusCode()).as("a token the sandbox got after the revocation").isEqualTo(200);
        assertThat(TestGatehouse.introspect(gatehouse, ADMIN_SECRET, issuedAfter).getBoolean("active")).isTrue();
        String audited = gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT detail FROM audit_events WHERE action = 'sandbox_token.revoked' AND target = :sandbox")
                .bind("sandbox", sandbox).mapTo(String.class).one());
        assertThat(new JsonObject(audited).getString("legacy_tokens_issued_before")).isNotNull();
    }

    /** A token as NewAPI mints it: HS256, no kid, no jti, {@code exp = iat + 7d}. */
    private static String legacy(String sandbox, String organization, Instant issuedAt) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).build(), new JWTClaimsSet.Builder()
                .issuer(TestGatehouse.ISSUER).subject(sandbox).claim("org", organization).claim("user", "alice")
                .claim("channels", List.of("qwen-a")).claim("typ", "sandbox")
                .issueTime(Date.from(issuedAt)).expirationTime(Date.from(issuedAt.plus(Duration.ofDays(7))))
                .build());
        jwt.sign(new MACSigner(SHARED_SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static HttpResponse<String> chat(String token) {
        return TestGatehouse.send(HttpRequest.newBuilder(gatehouse.localUrl().resolve("/v1/chat/completions"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"json\",\"messages\":[]}")).build());
    }


    private static List<String> usageTokenIds(String sandbox) {
        return gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT token_id FROM usage_records WHERE sandbox = :sandbox")
                .bind("sandbox", sandbox).mapTo(String.class).list());
    }
}
