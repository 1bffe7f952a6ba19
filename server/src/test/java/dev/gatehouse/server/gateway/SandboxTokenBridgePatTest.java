package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.identity.LocalSession;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 000's caller of the bridge: a user's personal access token for audience {@code newapi} mints
 * sandbox tokens without the admin secret, for its own organization and user only, and only for
 * channels that organization may use ({@code gateway.channels[].organizations}). Every refusal checks
 * status, code, and that no token was recorded.
 */
class SandboxTokenBridgePatTest {
    @TempDir
    static Path dataDir;

    static Gatehouse gatehouse;
    static GatehouseConfig config;
    static String aliceSession;

    @BeforeAll
    static void start() {
        config = TestGatehouse.config(dataDir, Map.of("GATEHOUSE_GATEWAY_CHANNELS", new JsonArray()
                .add(new JsonObject().put("name", "shared").put("provider", "p").put("baseUrl", "http://127.0.0.1:9/v1")
                        .put("models", new JsonArray(List.of("m1"))))
                .add(new JsonObject().put("name", "globex-only").put("provider", "p")
                        .put("baseUrl", "http://127.0.0.1:9/v1").put("models", new JsonArray(List.of("m2")))
                        .put("organizations", new JsonArray(List.of("globex"))))
                .encode()));
        gatehouse = Gatehouse.start(config);
        aliceSession = SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), Clock.systemUTC()).mint(
                LocalSession.request("alice", "acme", List.of(), List.of("llm:use"), Duration.ofHours(1),
                        config.tokens().issuer())).token();
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
    }

    @Test
    void patForTheBridge_mintsForItsOwnOrganizationAndUser_auditedAsItsOwner() throws Exception {
        String pat = pat("newapi");
        String sandbox = "sb-" + UUID.randomUUID();

        HttpResponse<String> minted = SandboxTokenBridgeTest.mint(gatehouse, pat, body("acme", "alice", sandbox, "[\"shared\"]"));

        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(200);
        JWTClaimsSet claims = SignedJWT.parse(new JsonObject(minted.body()).getString("token")).getJWTClaimsSet();
        assertThat(claims.getSubject()).isEqualTo(sandbox);
        assertThat(claims.getClaim("org")).isEqualTo("acme");
        assertThat(claims.getClaim("user")).isEqualTo("alice");
        assertThat(claims.getStringListClaim("channels")).containsExactly("shared");
        String actor = gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(
                "SELECT actor_subject FROM audit_events WHERE action = 'sandbox_token.issued' AND detail LIKE :s")
                .bind("s", "%" + sandbox + "%").mapTo(String.class).one());
        assertThat(actor).isEqualTo("alice");
        HttpResponse<String> models = TestGatehouse.get(gatehouse.localUrl().resolve("/v1/models"),
                "Authorization", "Bearer " + new JsonObject(minted.body()).getString("token"));
        assertThat(models.body()).contains("m1").doesNotContain("m2");
    }

    @Test
    void patForTheBridge_isRefused_outsideItsOwnScope() {
        String pat = pat("newapi");
        assertRefused(pat, body("globex", "alice", "sb-x", "[\"shared\"]"), 403, "organization_mismatch");
        assertRefused(pat, body("acme", "bob", "sb-x", "[\"shared\"]"), 403, "user_mismatch");
        assertRefused(pat, body("acme", "alice", "sb-x", "[\"nope\"]"), 400, "unknown_channel");
        assertRefused(pat, body("acme", "alice", "sb-x", "[\"shared\", \"globex-only\"]"), 403, "channel_not_allowed");
    }

    @Test
    void patForTheBridge_cannotMintForASandboxStartedThroughGatehouse_evenItsOwnersOwn() {
        HttpResponse<String> created = TestGatehouse.send(HttpRequest.newBuilder(
                        gatehouse.localUrl().resolve("/api/v1/sandbox/sessions"))
                .header("Authorization", "Bearer " + aliceSession).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String managed = new JsonObject(created.body()).getString("id");

        assertRefused(pat("newapi"), body("acme", "alice", managed, "[\"shared\"]"), 403, "sandbox_managed");
        TestGatehouse.send(HttpRequest.newBuilder(gatehouse.localUrl().resolve("/api/v1/sandbox/sessions/" + managed))
                .header("Authorization", "Bearer " + aliceSession).DELETE().build());
    }

    @Test
    void tokensNotMeantForTheBridge_areRefused() {
        String body = body("acme", "alice", "sb-y", "[\"shared\"]");
        assertRefused(pat("gateway"), body, 401, "wrong_audience");
        assertRefused(aliceSession, body, 401, "wrong_audience");
        String revoked = pat("newapi");
        assertThat(TestGatehouse.send(HttpRequest.newBuilder(gatehouse.localUrl().resolve("/auth/pats/" + idOf(revoked)))
                .header("Authorization", "Bearer " + aliceSession).DELETE().build()).statusCode()).isEqualTo(204);
        assertRefused(revoked, body, 401, "token_revoked");
    }

    @Test
    void patWithoutLlmUse_mintsNothing_patWithAllowedModels_mintsWithinThem() throws Exception {
        String withoutLlmUse = pat(new JsonObject().put("audience", "newapi"));
        String limited = pat(new JsonObject().put("audience", "newapi")
                .put("capabilities", new JsonArray().add("llm:use")).put("allowed_models", new JsonArray().add("m1")));
        String sandbox = "sb-" + UUID.randomUUID();

        assertRefused(withoutLlmUse, body("acme", "alice", sandbox, "[\"shared\"]"), 403, "capability_required");
        assertRefused(limited, body("acme", "alice", sandbox, "[\"shared\"]").replace("}", ",\"allowed_models\":[\"m2\"]}"),
                403, "model_not_allowed");
        HttpResponse<String> minted = SandboxTokenBridgeTest.mint(gatehouse, limited, body("acme", "alice", sandbox, "[\"shared\"]"));
        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(200);
        assertThat(SignedJWT.parse(new JsonObject(minted.body()).getString("token")).getJWTClaimsSet()
                .getStringListClaim("allowed_models")).containsExactly("m1");
        assertThat(SignedJWT.parse(limited).getJWTClaimsSet().getStringListClaim("allowed_models")).containsExactly("m1");
    }

    @Test
    void patOfAnOrganization_atTheGateway_seesOnlyTheChannelsItMayUse() {
        HttpResponse<String> models = TestGatehouse.get(gatehouse.localUrl().resolve("/v1/models"),
                "Authorization", "Bearer " + pat("gateway"));

        assertThat(models.statusCode()).as(models.body()).isEqualTo(200);
        assertThat(models.body()).contains("\"m1\"").doesNotContain("\"m2\"");
    }

    private static void assertRefused(String bearer, String body, int status, String code) {
        int before = rows();
        HttpResponse<String> response = SandboxTokenBridgeTest.mint(gatehouse, bearer, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(new JsonObject(response.body()).getString("code")).isEqualTo(code);
        assertThat(response.body()).doesNotContain(bearer);
        assertThat(rows()).isEqualTo(before);
    }

    private static String pat(String audience) {
        return pat(new JsonObject().put("audience", audience).put("capabilities", new JsonArray().add("llm:use")));
    }

    /** A PAT of alice's created through {@code POST /auth/pat} with {@code fields} besides its name. */
    private static String pat(JsonObject fields) {
        HttpResponse<String> created = TestGatehouse.send(HttpRequest.newBuilder(gatehouse.localUrl().resolve("/auth/pat"))
                .header("Authorization", "Bearer " + aliceSession).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(fields.copy().put("name", "tools").encode()))
                .build());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return new JsonObject(created.body()).getString("token");
    }

    private static String idOf(String token) {
        try {
            return SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
        } catch (ParseException e) {
            throw new AssertionError(e);
        }
    }

    private static String body(String organization, String user, String sandbox, String channels) {
        return "{\"org_id\":\"" + organization + "\",\"user_id\":\"" + user + "\",\"sandbox_id\":\"" + sandbox
                + "\",\"allowed_channels\":" + channels + "}";
    }

    private static int rows() {
        return gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(
                "SELECT COUNT(*) FROM sandbox_tokens").mapTo(Integer.class).one());
    }
}
