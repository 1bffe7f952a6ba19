package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.store.TestDatabases;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two Gatehouse replicas on one real PostgreSQL schema, as in a scaled-out deployment. */
class ReplicasOnPostgresTest {
    private static final Duration REFRESH = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private final String schema = "gh_test_" + HexFormat.of().toHexDigits(new SecureRandom().nextLong());
    private Gatehouse replicaA;
    private Gatehouse replicaB;

    @AfterEach
    void stop() throws Exception {
        if (replicaA != null) {
            replicaA.close();
        }
        if (replicaB != null) {
            replicaB.close();
        }
        try (Connection connection = TestDatabases.adminConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
    }

    @Test
    void replicasShareOneKey_andARotationOnOneIsHonouredByTheOther() throws Exception {
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        Map<String, String> postgres = Map.of(
                "GATEHOUSE_STORE_URL", TestDatabases.PG_URL,
                "GATEHOUSE_STORE_USERNAME", TestDatabases.PG_USER,
                "GATEHOUSE_STORE_SCHEMA", schema,
                "GATEHOUSE_KEYS_KEK", Base64.getEncoder().encodeToString(kek),
                "GATEHOUSE_KEYS_REFRESH_INTERVAL", REFRESH.toSeconds() + "s");
        replicaA = Gatehouse.start(TestGatehouse.config(dir.resolve("a"), postgres));
        replicaB = Gatehouse.start(TestGatehouse.config(dir.resolve("b"), postgres));

        String firstKid = replicaA.keyRing().activeSigningKey().getKeyID();
        assertThat(replicaB.keyRing().activeSigningKey().getKeyID()).isEqualTo(firstKid);
        assertThat(ready(replicaB).getJsonObject("checks").getString("store")).isEqualTo("ready");

        String rotatedKid = replicaA.keyRing().rotate().kid();
        awaitUntil(() -> jwks(replicaB).contains(rotatedKid));
        awaitUntil(() -> replicaA.keyRing().activeSigningKey().getKeyID().equals(rotatedKid));

        HttpResponse<String> session = TestGatehouse.get(replicaB.localUrl().resolve("/auth/session"),
                "Authorization", "Bearer " + TestGatehouse.signEs256(replicaA.keyRing().activeSigningKey(),
                        TestGatehouse.sessionClaims(claims -> claims)));
        assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
        assertThat(jwks(replicaB)).as("retired key still published").contains(firstKid);
    }

    private static JsonObject ready(Gatehouse gatehouse) {
        return new JsonObject(TestGatehouse.get(gatehouse.localUrl().resolve("/readyz")).body());
    }

    private static String jwks(Gatehouse gatehouse) {
        return TestGatehouse.get(gatehouse.localUrl().resolve("/.well-known/jwks.json")).body();
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + REFRESH.multipliedBy(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within %s", REFRESH.multipliedBy(5)).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
