package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.TwoReplicasOnPostgres;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.PostgresProcess;
import dev.gatehouse.server.store.StoreConfig;
import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.testing.PrometheusScrape;
import dev.gatehouse.server.tokens.MintRequest;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL of the test's own goes away for 10 s while the gateway serves a steady load: every
 * response delivered gets its usage row once the store is back (spooled, then replayed, none twice),
 * nothing is dropped, and {@code /readyz} answers 503 at once during the outage.
 */
class UsageStoreOutageTest {
    @TempDir
    Path dataDir;

    @Test
    void postgresAwayFor10s_underLoad_everyDeliveredResponseIsRecordedOnce_andReadyzSays503AtOnce() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (PostgresProcess pg = PostgresProcess.start(); FakeUpstream upstream = FakeUpstream.start(vertx)) {
            StoreConfig store = pg.storeConfig("gh_outage");
            Map<String, String> env = new HashMap<>(TwoReplicasOnPostgres.storeAndKek(store));
            env.put("GATEHOUSE_GATEWAY_CHANNELS", new JsonArray().add(new JsonObject().put("name", "up")
                    .put("provider", "fake").put("baseUrl", upstream.baseUrl())
                    .put("models", new JsonArray(List.of("json")))).encode());
            GatehouseConfig config = TestGatehouse.config(dataDir, env);
            List<Long> readyzMillis = new ArrayList<>();
            List<Integer> readyzStatus = new ArrayList<>();
            long delivered;
            long spooled;
            try (Gatehouse gatehouse = Gatehouse.start(config)) {
                String token = SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), Clock.systemUTC())
                        .mint(new MintRequest(TokenType.PAT, "bob", List.of("gateway"), Duration.ofHours(1),
                                TestGateway.patClaims("acme"))).token();
                try (UsageLoad load = UsageLoad.start(gatehouse.localUrl(), token, "json", 16)) {
                    Thread.sleep(2_000);
                    pg.stopServer();
                    long stopped = System.nanoTime();
                    Thread.sleep(1_500); // the store's check notices within its interval and timeout
                    while (System.nanoTime() - stopped < Duration.ofSeconds(10).toNanos()) {
                        long asked = System.nanoTime();
                        HttpResponse<String> ready = TestGatehouse.get(gatehouse.localUrl().resolve("/readyz"));
                        readyzMillis.add((System.nanoTime() - asked) / 1_000_000);
                        readyzStatus.add(ready.statusCode());
                        Thread.sleep(500);
                    }
                    pg.startServer();
                    Thread.sleep(2_000);
                    load.stop();
                    delivered = load.delivered.size();
                    assertThat(load.failed.get()).as("the gateway kept answering").isZero();
                }
                assertThat(delivered).isGreaterThan(1_000);
                Await.until("every delivered response has its row", Duration.ofSeconds(30),
                        () -> rows(gatehouse.database()) >= delivered);
                Await.until("the spool replayed", Duration.ofSeconds(10), () -> spoolFiles(config) == 0);
                PrometheusScrape metrics = PrometheusScrape.parse(PrometheusScrape.fetchText(gatehouse.managementUrl()));
                spooled = (long) metrics.sum("gatehouse_usage_records_spooled_total");
                assertThat(spooled).as("records went through the spool").isPositive();
                assertThat(metrics.sum("gatehouse_usage_records_replayed_total")).isEqualTo((double) spooled);
                assertThat(metrics.sum("gatehouse_usage_records_dropped_total")).isZero();
                assertThat(rows(gatehouse.database())).as("no row twice").isEqualTo(delivered);
                assertThat(distinctRequestIds(gatehouse.database())).isEqualTo(delivered);
            }
            assertThat(readyzStatus).as("/readyz during the outage").isNotEmpty().containsOnly(503);
            assertThat(readyzMillis).as("/readyz answers at once (ms)").allSatisfy(ms -> assertThat(ms).isLessThan(200));
            System.out.printf("outage: %d responses delivered, %d spooled and replayed, /readyz %s ms%n",
                    delivered, spooled, readyzMillis);
        } finally {
            vertx.close().await();
        }
    }

    private static long rows(Database database) {
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM usage_records")
                .mapTo(Long.class).one());
    }

    private static long distinctRequestIds(Database database) {
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT COUNT(DISTINCT request_id) FROM usage_records").mapTo(Long.class).one());
    }

    private static long spoolFiles(GatehouseConfig config) {
        try (Stream<Path> files = Files.list(config.gatewayUsage().spoolDir())) {
            return files.count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
