package dev.gatehouse.server.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.TwoReplicasOnPostgres;
import dev.gatehouse.server.gateway.GatewayCaller;
import dev.gatehouse.server.testing.Await;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A signing key withdrawn on replica A while tokens it signed are remembered by the verifiers of
 * both replicas (the gateway's, and the auth API's behind {@code /auth/session}): A refuses them at
 * once, B within the revocation bound (5 s), at the gateway, at {@code /auth/session} and at
 * introspection alike; both stop publishing the key, and the key rotated in first signs at once.
 * B's key ring would reload only every 30 s on its own, so B learns of both keys through the poll.
 */
class KeyWithdrawalReplicasOnPostgresTest {
    private static final Logger log = LoggerFactory.getLogger(KeyWithdrawalReplicasOnPostgresTest.class);
    private static final String ADMIN_SECRET = "admin-secret-0123456789abcdef0123456789";
    private static final Duration WITHDRAWAL_LIMIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void keyRevokedOnA_itsCachedTokensAreRefusedByBothReplicas_withinFiveSeconds_everywhereAlike() throws Exception {
        try (TwoReplicasOnPostgres replicas = TwoReplicasOnPostgres.start(dir, Map.of(
                "GATEHOUSE_ADMIN_SECRET", ADMIN_SECRET,
                "GATEHOUSE_KEYS_REFRESH_INTERVAL", "30s"))) {
            Gatehouse a = replicas.a();
            Gatehouse b = replicas.b();
            String withdrawn = a.keyRing().activeSigningKey().getKeyID();
            String session = TestGatehouse.signEs256(a.keyRing().activeSigningKey(),
                    TestGatehouse.sessionClaims(claims -> claims));
            String pat = pat(a, replicas);
            for (Gatehouse replica : List.of(a, b)) {
                assertThat(session(replica, session).statusCode()).isEqualTo(200);
                assertThat(gateway(replica, pat).statusCode()).isEqualTo(200);
                assertThat(TestGatehouse.introspect(replica, ADMIN_SECRET, pat).getBoolean("active")).isTrue();
            }

            HttpResponse<String> newest = revoke(a, withdrawn);
            assertThat(newest.statusCode()).as(newest.body()).isEqualTo(409);
            assertThat(new JsonObject(newest.body()).getString("code")).isEqualTo("key_in_use");
            String rotatedIn = a.keyRing().rotate().kid();

            long revokedAt = System.nanoTime();
            HttpResponse<String> revoked = revoke(a, withdrawn);
            assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
            assertThat(new JsonObject(revoked.body()).getString("state")).isEqualTo("revoked");
            assertThat(jwks(a)).doesNotContain(withdrawn);
            assertRefusedEverywhere(a, session, pat);
            Await.until("B refuses the withdrawn key's tokens", WITHDRAWAL_LIMIT.plusSeconds(1),
                    () -> gateway(b, pat).statusCode() == 401 && session(b, session).statusCode() == 401);
            Duration withdrawal = Duration.ofNanos(System.nanoTime() - revokedAt);
            log.info("key withdrawal reached replica B after {} ms", withdrawal.toMillis());

            assertThat(withdrawal).isLessThan(WITHDRAWAL_LIMIT);
            assertRefusedEverywhere(b, session, pat);
            assertThat(jwks(b)).doesNotContain(withdrawn).contains(rotatedIn);
            assertThat(a.keyRing().activeSigningKey().getKeyID()).as("the rotated-in key signs at once").isEqualTo(rotatedIn);
            String fresh = pat(a, replicas);
            assertThat(gateway(b, fresh).statusCode()).as("B accepts what the rotated-in key signs").isEqualTo(200);
            assertThat(revoke(b, withdrawn).statusCode()).as("idempotent").isEqualTo(200);
            long audited = a.database().jdbi().withHandle(handle -> handle.createQuery(
                            "SELECT COUNT(*) FROM audit_events WHERE action = 'key.revoked' AND target = :kid")
                    .bind("kid", withdrawn).mapTo(Long.class).one());
            assertThat(audited).as("audited once").isEqualTo(1);
        }
    }

    private static void assertRefusedEverywhere(Gatehouse replica, String session, String pat) {
        assertThat(session(replica, session).statusCode()).isEqualTo(401);
        HttpResponse<String> gateway = gateway(replica, pat);
        assertThat(gateway.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(gateway.body()).getJsonObject("error").getString("code"))
                .isIn("token_revoked", "unknown_key");
        assertThat(TestGatehouse.introspect(replica, ADMIN_SECRET, pat)).isEqualTo(new JsonObject().put("active", false));
    }

    private static String pat(Gatehouse replica, TwoReplicasOnPostgres replicas) {
        return SigningTokenMinter.of(replica.keyRing(), replicas.config().tokens(), Clock.systemUTC())
                .mint(new MintRequest(TokenType.PAT, "alice", List.of("gateway"), Duration.ofHours(1),
                        Map.of("org_id", "acme", "capabilities", List.of(GatewayCaller.LLM_USE)))).token();
    }

    private static HttpResponse<String> session(Gatehouse replica, String token) {
        return TestGatehouse.get(replica.localUrl().resolve("/auth/session"), "Authorization", "Bearer " + token);
    }

    private static HttpResponse<String> gateway(Gatehouse replica, String token) {
        return TestGatehouse.get(replica.localUrl().resolve("/v1/models"), "Authorization", "Bearer " + token);
    }


    private static HttpResponse<String> revoke(Gatehouse replica, String kid) {
        return TestGatehouse.send(HttpRequest.newBuilder(replica.localUrl().resolve("/admin/keys/" + kid))
                .header("Authorization", "Bearer " + ADMIN_SECRET).DELETE().build());
    }

    private static String jwks(Gatehouse replica) {
        return TestGatehouse.get(replica.localUrl().resolve("/.well-known/jwks.json")).body();
    }
}
