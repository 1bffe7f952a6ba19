package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.store.BatchWrite;
import dev.gatehouse.server.store.GroupCommitter;
import dev.gatehouse.server.store.GroupCommitters;
import dev.gatehouse.server.store.WriteOutcome;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code POST /admin/tokens/sandbox} and {@code DELETE /admin/tokens/sandbox/{id}} against real
 * Gatehouses: one signing with the key ring (ES256, JWKS), one with the HS256 interop secret, one
 * without an admin secret. Every refusal checks status, code and that no token row was written.
 */
class SandboxTokenBridgeTest {
    static final String ADMIN = "admin-secret-for-bridge-tests-0123456789";
    static final String HS256 = "hs256-interop-signing-key-0123456789-abcdefgh";

    @TempDir
    static Path es256Dir;
    @TempDir
    static Path hs256Dir;
    @TempDir
    static Path disabledDir;

    static Gatehouse es256;
    static Gatehouse hs256;
    static Gatehouse disabled;

    @BeforeAll
    static void start() {
        es256 = Gatehouse.start(TestGatehouse.config(es256Dir, Map.of("NEWAPI_ADMIN_SECRET", ADMIN)));
        hs256 = Gatehouse.start(TestGatehouse.config(hs256Dir, Map.of(
                "NEWAPI_ADMIN_SECRET", ADMIN, "NEWAPI_TOKEN_SIGNING_KEY", HS256)));
        disabled = Gatehouse.start(TestGatehouse.config(disabledDir, Map.of()));
    }

    @AfterAll
    static void stop() {
        for (Gatehouse g : new Gatehouse[] {es256, hs256, disabled}) {
            if (g != null) {
                g.close();
            }
        }
    }

    @Test
    void mint_es256_claimShapeAndSignatureFromTheJwks_rowAndAuditRecorded() throws Exception {
        String sandbox = "sb-" + UUID.randomUUID();
        HttpResponse<String> response = mint(es256, ADMIN, body(sandbox, "[\"qwen3.6-bankdhofar\"]"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonObject answer = new JsonObject(response.body());
        assertThat(answer.fieldNames()).containsExactlyInAnyOrder("token", "expires_at");
        assertThat(response.body()).doesNotContain(ADMIN);

        SignedJWT jwt = SignedJWT.parse(answer.getString("token"));
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        var jwks = com.nimbusds.jose.jwk.JWKSet.parse(TestGatehouse.get(es256.localUrl().resolve("/.well-known/jwks.json")).body());
        assertThat(jwt.verify(new ECDSAVerifier(jwks.getKeyByKeyId(jwt.getHeader().getKeyID()).toECKey()))).isTrue();
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getSubject()).isEqualTo(sandbox);
        assertThat(claims.getClaim("org")).isEqualTo("acme");
        assertThat(claims.getClaim("user")).isEqualTo("alice@acme.test");
        assertThat(claims.getStringListClaim("channels")).containsExactly("qwen3.6-bankdhofar");
        assertThat(claims.getClaim("typ")).isEqualTo("sandbox");
        assertThat(claims.getJWTID()).isNotBlank();
        assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
                .isEqualTo(Duration.ofDays(7));
        assertThat(Instant.parse(answer.getString("expires_at"))).isEqualTo(claims.getExpirationTime().toInstant());

        Map<String, Object> row = es256.database().jdbi().withHandle(h -> h
                .createQuery("SELECT * FROM sandbox_tokens WHERE sandbox_id = :s").bind("s", sandbox).mapToMap().one());
        assertThat(row).containsEntry("jti", claims.getJWTID()).containsEntry("organization", "acme")
                .containsEntry("user_id", "alice@acme.test").containsEntry("channels", "[\"qwen3.6-bankdhofar\"]");
        assertThat(row.toString()).doesNotContain(answer.getString("token"));
        HttpResponse<String> audit = TestGatehouse.get(es256.localUrl().resolve(
                "/admin/audit?action=sandbox_token.issued&organization=acme&limit=500"), "Authorization", "Bearer " + ADMIN);
        assertThat(audit.body()).contains(sandbox).contains(claims.getJWTID()).doesNotContain(answer.getString("token")).doesNotContain(ADMIN);
    }

    @Test
    void concurrentMints_eachAnsweredOnlyOnceItsRowAndAuditEventAreCommitted() throws Exception {
        int mints = 64;
        String sandbox = "sb-" + UUID.randomUUID();
        HttpClient client = HttpClient.newHttpClient();
        List<CompletableFuture<Boolean>> recordedOnAnswer = new ArrayList<>();
        for (int i = 0; i < mints; i++) {
            HttpRequest request = post(es256, body(sandbox, "[\"a\"]")).header("Authorization", "Bearer " + ADMIN).build();
            // Checked the moment the answer arrives, from the store, before anything else happens.
            recordedOnAnswer.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                String jti = jti(new JsonObject(response.body()).getString("token"));
                return es256.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM sandbox_tokens WHERE jti = :jti").bind("jti", jti).mapTo(Long.class).one()) == 1
                        && es256.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM audit_events WHERE action = 'sandbox_token.issued' AND target = :jti")
                        .bind("jti", jti).mapTo(Long.class).one()) == 1;
            }));
        }
        CompletableFuture.allOf(recordedOnAnswer.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        assertThat(recordedOnAnswer).extracting(CompletableFuture::join).containsOnly(true).hasSize(mints);
        assertThat(rows(es256, sandbox)).isEqualTo(mints);
    }

    @Test
    void mint_whileTheStoresQueueIsFull_is503StoreBusy_withRetryAfter_andRecordsNothing() throws Exception {
        CountDownLatch release = GroupCommitters.holdWriters(es256.committer());
        List<CompletableFuture<String>> fillers = new ArrayList<>();
        BatchWrite<String, String> nothing = (handle, items) -> items.stream().map(WriteOutcome::written).toList();
        for (int i = 0; i < GroupCommitter.DEFAULT_CAPACITY; i++) {
            fillers.add(es256.committer().submit(nothing, "filler-" + i));
        }
        String sandbox = "sb-" + UUID.randomUUID();
        HttpResponse<String> response;
        try {
            response = mint(es256, ADMIN, body(sandbox, "[\"a\"]"));
        } finally {
            release.countDown();
        }

        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(code(response)).isEqualTo("store_busy");
        assertThat(new JsonObject(response.body()).getString("detail"))
                .isEqualTo("Too many writes are waiting for the store (4096 queued); retry shortly.");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        CompletableFuture.allOf(fillers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(rows(es256, sandbox)).isZero();
        assertThat(token(mint(es256, ADMIN, body(sandbox, "[\"a\"]")))).as("served again once drained").isNotBlank();
    }

    private static String jti(String token) {
        try {
            return SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void mint_hs256WhenTheInteropKeyIsSet_verifiesWithThatKey() throws Exception {
        HttpResponse<String> response = mint(hs256, ADMIN, body("sb-" + UUID.randomUUID(), "[\"a\"]"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).doesNotContain(HS256).doesNotContain(ADMIN);
        SignedJWT jwt = SignedJWT.parse(new JsonObject(response.body()).getString("token"));
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
        assertThat(jwt.verify(new MACVerifier(HS256.getBytes(StandardCharsets.UTF_8)))).isTrue();
        assertThat(jwt.getJWTClaimsSet().getClaim("typ")).isEqualTo("sandbox");
    }

    @Test
    void mint_deduplicatesAndScrubsEmptyChannelNames() throws Exception {
        HttpResponse<String> response = mint(es256, ADMIN,
                body("sb-" + UUID.randomUUID(), "[\"a\", \"\", \"b\", \"a\", \"  \", \" b \"]"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(SignedJWT.parse(new JsonObject(response.body()).getString("token")).getJWTClaimsSet()
                .getStringListClaim("channels")).containsExactly("a", "b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Basic YWRtaW46YWRtaW4=", "Bearer wrong-secret-0123456789-0123456789-xx", "Bearer"})
    void mint_withoutTheAdminSecret_is401_andMintsNothing(String authorization) {
        String sandbox = "sb-" + UUID.randomUUID();
        HttpRequest.Builder request = post(es256, body(sandbox, "[\"a\"]"));
        if (!authorization.isEmpty()) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = TestGatehouse.send(request.build());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(code(response)).isIn("missing_token", "invalid_admin_secret");
        assertThat(response.body()).doesNotContain(ADMIN);
        assertThat(rows(es256, sandbox)).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"user_id\":\"u\",\"sandbox_id\":\"%s\",\"allowed_channels\":[\"a\"]}",
            "{\"org_id\":\"o\",\"sandbox_id\":\"%s\",\"allowed_channels\":[\"a\"]}",
            "{\"org_id\":\"o\",\"user_id\":\"u\",\"allowed_channels\":[\"a\"],\"x\":\"%s\"}",
            "{\"org_id\":\"o\",\"user_id\":\"u\",\"sandbox_id\":\"%s\"}",
            "{\"org_id\":\"o\",\"user_id\":\"u\",\"sandbox_id\":\"%s\",\"allowed_channels\":[]}",
            "{\"org_id\":\"o\",\"user_id\":\"u\",\"sandbox_id\":\"%s\",\"allowed_channels\":[\"\"]}",
            "{\"org_id\":\"o\",\"user_id\":\"u\",\"sandbox_id\":\"%s\",\"allowed_channels\":[\"\", \" \"]}",
            "{\"org_id\":\"o\",\"user_id\":\"u\",\"sandbox_id\":\"%s\",\"allowed_channels\":\"a\"}",
            "{\"org_id\":\"o\",\"user_id\":\"u\",\"sandbox_id\":\"%s\",\"allowed_channels\":[1]}",
            "{\"org_id\":7,\"user_id\":\"u\",\"sandbox_id\":\"%s\",\"allowed_channels\":[\"a\"]}",
            "{\"org_id\":\"\",\"user_id\":\"u\",\"sandbox_id\":\"%s\",\"allowed_channels\":[\"a\"]}",
            "{\"org_id\":\"o\",\"org_id\":\"p\",\"user_id\":\"u\",\"sandbox_id\":\"%s\",\"allowed_channels\":[\"a\"]}",
            "{\"org_id\":\"o\",\"user_id\":\"u\",\"sandbox_id\":\"%s\",\"allowed_channels\":[\"a\"]} {}",
            "{\"org_id\":\"o\",\"user_id\":\"u\",\"sandbox_id\":\"%s\",\"allowed_channels\":[\"a\"]",
            "[\"%s\"]",
    })
    void mint_badBody_is400_andMintsNothing(String template) {
        String sandbox = "sb-" + UUID.randomUUID();
        HttpResponse<String> response = mint(es256, ADMIN, template.formatted(sandbox));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(code(response)).isIn("missing_field", "invalid_field", "no_channels", "unknown_field",
                "malformed_json", "invalid_request");
        assertThat(rows(es256, sandbox)).isZero();
    }

    @Test
    void mint_nonJsonContentType_is415() {
        HttpResponse<String> response = TestGatehouse.send(HttpRequest.newBuilder(
                        es256.localUrl().resolve("/admin/tokens/sandbox"))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body("sb-x", "[\"a\"]"))).build());

        assertThat(response.statusCode()).isEqualTo(415);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE", "PATCH"})
    void otherMethods_are405(String method) {
        HttpResponse<String> response = TestGatehouse.send(HttpRequest.newBuilder(
                        es256.localUrl().resolve("/admin/tokens/sandbox"))
                .header("Authorization", "Bearer " + ADMIN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void withoutAnAdminSecretConfigured_is503_namingWhatToSet() {
        HttpResponse<String> response = mint(disabled, "anything-at-all-0123456789-0123456789", body("sb-y", "[\"a\"]"));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(code(response)).isEqualTo("admin_disabled");
        assertThat(response.body()).contains("NEWAPI_ADMIN_SECRET");
        assertThat(rows(disabled, "sb-y")).isZero();
    }

    @Test
    void revokeSandbox_revokesEveryTokenOfIt_introspectionSaysInactive_otherSandboxesUnaffected() {
        String sandbox = "sb-" + UUID.randomUUID();
        String first = token(mint(es256, ADMIN, body(sandbox, "[\"a\"]")));
        String second = token(mint(es256, ADMIN, body(sandbox, "[\"b\"]")));
        String other = token(mint(es256, ADMIN, body("sb-" + UUID.randomUUID(), "[\"a\"]")));
        assertThat(introspect(first).getBoolean("active")).isTrue();

        HttpResponse<String> revoked = revoke(es256, ADMIN, sandbox);
        HttpResponse<String> again = revoke(es256, ADMIN, sandbox);

        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        assertThat(new JsonObject(revoked.body()).getInteger("revoked")).isEqualTo(2);
        assertThat(new JsonObject(again.body()).getInteger("revoked")).isZero();
        assertThat(introspect(first).getBoolean("active")).isFalse();
        assertThat(introspect(second).getBoolean("active")).isFalse();
        assertThat(introspect(other).getBoolean("active")).isTrue();
        long stillOpen = es256.database().jdbi().withHandle(h -> h.createQuery(
                "SELECT COUNT(*) FROM sandbox_tokens WHERE sandbox_id = :s AND revoked_at IS NULL")
                .bind("s", sandbox).mapTo(Long.class).one());
        assertThat(stillOpen).isZero();
    }

    @Test
    void revokeSandbox_withoutTheAdminSecret_is401_andRevokesNothing() {
        String sandbox = "sb-" + UUID.randomUUID();
        token(mint(es256, ADMIN, body(sandbox, "[\"a\"]")));

        HttpResponse<String> response = revoke(es256, "not-the-admin-secret-0123456789-0123456789", sandbox);

        assertThat(response.statusCode()).isEqualTo(401);
        long open = es256.database().jdbi().withHandle(h -> h.createQuery(
                "SELECT COUNT(*) FROM sandbox_tokens WHERE sandbox_id = :s AND revoked_at IS NULL")
                .bind("s", sandbox).mapTo(Long.class).one());
        assertThat(open).isEqualTo(1);
    }

    static String body(String sandbox, String channels) {
        return "{\"org_id\":\"acme\",\"user_id\":\"alice@acme.test\",\"sandbox_id\":\"" + sandbox
                + "\",\"allowed_channels\":" + channels + "}";
    }

    static HttpRequest.Builder post(Gatehouse gatehouse, String json) {
        return HttpRequest.newBuilder(gatehouse.localUrl().resolve("/admin/tokens/sandbox"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    static HttpResponse<String> mint(Gatehouse gatehouse, String bearer, String json) {
        return TestGatehouse.send(post(gatehouse, json).header("Authorization", "Bearer " + bearer).build());
    }

    static HttpResponse<String> revoke(Gatehouse gatehouse, String bearer, String sandbox) {
        return TestGatehouse.send(HttpRequest.newBuilder(gatehouse.localUrl().resolve("/admin/tokens/sandbox/" + sandbox))
                .header("Authorization", "Bearer " + bearer).DELETE().build());
    }

    static String token(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body()).getString("token");
    }

    static JsonObject introspect(String token) {
        HttpResponse<String> response = TestGatehouse.send(HttpRequest.newBuilder(es256.localUrl().resolve("/oauth/introspect"))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
                .build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    static long rows(Gatehouse gatehouse, String sandbox) {
        return gatehouse.database().jdbi().withHandle(h -> h.createQuery(
                "SELECT COUNT(*) FROM sandbox_tokens WHERE sandbox_id = :s").bind("s", sandbox).mapTo(Long.class).one());
    }

    static String code(HttpResponse<String> response) {
        return new JsonObject(response.body()).getString("code");
    }
}
