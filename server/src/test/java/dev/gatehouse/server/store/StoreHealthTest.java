package dev.gatehouse.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's health, known without waiting: a PostgreSQL of the test's own stopped and started again. */
class StoreHealthTest {
    @TempDir
    Path dir;

    @Test
    void postgresStopped_isDownWithinAnIntervalAndACheck_answersAtOnce_andUpAgainWhenItReturns() throws Exception {
        try (PostgresProcess pg = PostgresProcess.start();
                Database database = Database.open(pg.storeConfig("gh_health"));
                StoreHealth health = StoreHealth.start(database, Duration.ofMillis(100))) {
            assertThat(health.isUp()).isTrue();

            pg.stopServer();
            long stopped = System.nanoTime();
            Await.until("store down", Duration.ofSeconds(3), () -> !health.isUp());
            assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(Duration.ofMillis(1_500));
            long asked = System.nanoTime();
            for (int i = 0; i < 1_000; i++) {
                assertThat(health.isUp()).isFalse();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofMillis(50));

            pg.startServer();
            Await.until("store up again", Duration.ofSeconds(5), health::isUp);
        }
    }

    @Test
    void reportedUnreachable_isDownUntilTheProbeReachesItAgain() throws Exception {
        try (TestDatabases.TestStore store = TestDatabases.sqlite(dir);
                StoreHealth health = StoreHealth.start(store.open(), Duration.ofMillis(50))) {
            health.reportUnreachable(new IllegalStateException("connection refused"));

            assertThat(health.isUp()).isFalse();
            Await.until("up after the next check", Duration.ofSeconds(2), health::isUp);
        }
    }
}
