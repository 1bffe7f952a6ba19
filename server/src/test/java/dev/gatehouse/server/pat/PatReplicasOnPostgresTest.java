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
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.store.TestDatabases;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
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
    void revokedOnA_isRefusedByB_withinFiveSeconds_andLastUseOnB_isListedOnA() throws Exception {
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        Map<String, String> env = new HashMap<>(Map.of(
                "GATEHOUSE_STORE_URL", TestDatabases.PG_URL,
                "GATEHOUSE_STORE_USERNAME", TestDatabases.PG_USER,
                "GATEHOUSE_STORE_SCHEMA", schema,
                "GATEHOUSE_KEYS_KEK", Base64.getEncoder().encodeToString(kek),
                "GATEHOUSE_ADMIN_SECRET", ADMIN_SECRET,
                "GATEHOUSE_PAT_AUDIENCES", "gateway," + ISSUER,
                "GATEHOUSE_PAT_LAST_USED_FLUSH_INTERVAL", "500ms"));
        GatehouseConfig configA = TestGatehouse.config(dir.resolve("a"), env);
        replicaA = Gatehouse.start(configA);
        replicaB = Gatehouse.start(TestGatehouse.config(dir.resolve("b"), env));
        assertThat(configA.pat().revocationPollInterval()).as("the default").isEqualTo(Duration.ofSeconds(2));

        String session = PatTestSupport.session(replicaA, configA, "alice", "acme", List.of());
        JsonObject pat = pat(replicaA, session, "{\"name\": \"ci\", \"audience\": \"" + ISSUER + "\"}");
        String token = pat.getString("token");
        assertThat(presentOnB(token).statusCode()).isEqualTo(200);
        assertThat(introspect(replicaB, ADMIN_SECRET, token).getBoolean("active")).isTrue();

        awaitWithin(Duration.ofSeconds(5), () -> lastUsedOnA(session, pat.getString("id")) != null);

        long revokedAt = System.nanoTime();
        assertThat(deletePat(replicaA, session, pat.getString("id")).statusCode()).isEqualTo(204);
        Duration propagation = awaitWithin(PROPAGATION_LIMIT.plusSeconds(1), () -> presentOnB(token).statusCode() == 401,
                revokedAt);
        log.info("revocation reached replica B after {} ms", propagation.toMillis());

        assertThat(propagation).isLessThan(PROPAGATION_LIMIT);
        HttpResponse<String> refused = presentOnB(token);
        assertThat(new JsonObject(refused.body()).getString("code")).isEqualTo("token_revoked");
        assertThat(introspect(replicaB, ADMIN_SECRET, token)).isEqualTo(new JsonObject().put("active", false));
    }

    private HttpResponse<String> presentOnB(String token) {
        return TestGatehouse.get(replicaB.localUrl().resolve("/auth/session"), "Authorization", "Bearer " + token);
    }

    private String lastUsedOnA(String session, String id) {
        return new JsonObject(listPats(replicaA, session).body()).getJsonArray("pats").stream()
                .map(JsonObject.class::cast).filter(p -> p.getString("id").equals(id)).findFirst().orElseThrow()
                .getString("last_used_at");
    }

    private static Duration awaitWithin(Duration limit, BooleanSupplier condition) throws InterruptedException {
        return awaitWithin(limit, condition, System.nanoTime());
    }

    private static Duration awaitWithin(Duration limit, BooleanSupplier condition, long since)
            throws InterruptedException {
        long deadline = since + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within %s", limit).isLessThan(deadline);
            Thread.sleep(25);
        }
        return Duration.ofNanos(System.nanoTime() - since);
    }
}
