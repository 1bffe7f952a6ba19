package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.testing.Await;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two Gatehouse replicas on one real PostgreSQL schema, as in a scaled-out deployment. */
class ReplicasOnPostgresTest {
    private static final Duration REFRESH = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    @Test
    void replicasShareOneKey_andARotationOnOneIsHonouredByTheOther() throws Exception {
        try (TwoReplicasOnPostgres replicas = TwoReplicasOnPostgres.start(dir,
                Map.of("GATEHOUSE_KEYS_REFRESH_INTERVAL", REFRESH.toSeconds() + "s"))) {
            Gatehouse replicaA = replicas.a();
            Gatehouse replicaB = replicas.b();

            String firstKid = replicaA.keyRing().activeSigningKey().getKeyID();
            assertThat(replicaB.keyRing().activeSigningKey().getKeyID()).isEqualTo(firstKid);
            assertThat(ready(replicaB).getJsonObject("checks").getString("store")).isEqualTo("ready");

            String rotatedKid = replicaA.keyRing().rotate().kid();
            Await.until("B publishes the new key", REFRESH.multipliedBy(5), () -> jwks(replicaB).contains(rotatedKid));
            Await.until("A signs with the new key", REFRESH.multipliedBy(5),
                    () -> replicaA.keyRing().activeSigningKey().getKeyID().equals(rotatedKid));

            HttpResponse<String> session = TestGatehouse.get(replicaB.localUrl().resolve("/auth/session"),
                    "Authorization", "Bearer " + TestGatehouse.signEs256(replicaA.keyRing().activeSigningKey(),
                            TestGatehouse.sessionClaims(claims -> claims)));
            assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
            assertThat(jwks(replicaB)).as("retired key still published").contains(firstKid);
        }
    }

    private static JsonObject ready(Gatehouse gatehouse) {
        return new JsonObject(TestGatehouse.get(gatehouse.localUrl().resolve("/readyz")).body());
    }

    private static String jwks(Gatehouse gatehouse) {
        return TestGatehouse.get(gatehouse.localUrl().resolve("/.well-known/jwks.json")).body();
    }
}
