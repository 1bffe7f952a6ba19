package dev.gatehouse.server.pat;

import static dev.gatehouse.server.TestGatehouse.ISSUER;
import static dev.gatehouse.server.pat.PatTestSupport.ADMIN_SECRET;
import static dev.gatehouse.server.pat.PatTestSupport.deletePat;
import static dev.gatehouse.server.pat.PatTestSupport.introspect;
import static dev.gatehouse.server.pat.PatTestSupport.listPats;
import static dev.gatehouse.server.pat.PatTestSupport.pat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.TwoReplicasOnPostgres;
import dev.gatehouse.server.testing.Await;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Two Gatehouse replicas on one real PostgreSQL schema: revocation and last use cross replicas. */
class PatReplicasOnPostgresTest {
    private static final Logger log = LoggerFactory.getLogger(PatReplicasOnPostgresTest.class);
    private static final Duration PROPAGATION_LIMIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void revokedOnA_isRefusedByB_withinFiveSeconds_andLastUseOnB_isListedOnA() throws Exception {
        try (TwoReplicasOnPostgres replicas = TwoReplicasOnPostgres.start(dir, Map.of(
                "GATEHOUSE_ADMIN_SECRET", ADMIN_SECRET,
                "GATEHOUSE_PAT_AUDIENCES", "gateway," + ISSUER,
                "GATEHOUSE_PAT_LAST_USED_FLUSH_INTERVAL", "500ms"))) {
            Gatehouse replicaA = replicas.a();
            Gatehouse replicaB = replicas.b();
            assertThat(replicas.config().pat().revocationPollInterval()).as("the default")
                    .isEqualTo(Duration.ofSeconds(2));

            String session = PatTestSupport.session(replicaA, replicas.config(), "alice", "acme", List.of());
            JsonObject pat = pat(replicaA, session, "{\"name\": \"ci\", \"audience\": \"" + ISSUER + "\"}");
            String token = pat.getString("token");
            assertThat(present(replicaB, token).statusCode()).isEqualTo(200);
            assertThat(introspect(replicaB, ADMIN_SECRET, token).getBoolean("active")).isTrue();

            Await.until("B's use listed on A", Duration.ofSeconds(5),
                    () -> lastUsed(replicaA, session, pat.getString("id")) != null);

            long revokedAt = System.nanoTime();
            assertThat(deletePat(replicaA, session, pat.getString("id")).statusCode()).isEqualTo(204);
            Await.until("B refuses the revoked token", PROPAGATION_LIMIT.plusSeconds(1),
                    () -> present(replicaB, token).statusCode() == 401);
            Duration propagation = Duration.ofNanos(System.nanoTime() - revokedAt);
            log.info("revocation reached replica B after {} ms", propagation.toMillis());

            assertThat(propagation).isLessThan(PROPAGATION_LIMIT);
            HttpResponse<String> refused = present(replicaB, token);
            assertThat(new JsonObject(refused.body()).getString("code")).isEqualTo("token_revoked");
            assertThat(introspect(replicaB, ADMIN_SECRET, token)).isEqualTo(new JsonObject().put("active", false));
        }
    }

    private static HttpResponse<String> present(Gatehouse replica, String token) {
        return TestGatehouse.get(replica.localUrl().resolve("/auth/session"), "Authorization", "Bearer " + token);
    }

    private static String lastUsed(Gatehouse replica, String session, String id) {
        return new JsonObject(listPats(replica, session).body()).getJsonArray("pats").stream()
                .map(JsonObject.class::cast).filter(p -> p.getString("id").equals(id)).findFirst().orElseThrow()
                .getString("last_used_at");
    }
}
