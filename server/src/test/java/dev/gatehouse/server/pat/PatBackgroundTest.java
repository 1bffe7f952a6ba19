package dev.gatehouse.server.pat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.tokens.Revocations;
import dev.gatehouse.server.tokens.RevokedTokens;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The periodic work of a running replica, on a real Vert.x. */
class PatBackgroundTest {
    @TempDir
    Path dir;

    @Test
    void prunesTheRevocationLog_periodically() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (TestStore store = TestDatabases.sqlite(dir)) {
            Database database = store.open();
            Instant now = Instant.now();
            database.jdbi().useTransaction(handle -> {
                Revocations.recordRevocation(handle, "expired-two-days-ago", now.minus(Duration.ofDays(2)).toEpochMilli());
                Revocations.recordRevocation(handle, "live", now.plus(Duration.ofDays(1)).toEpochMilli());
            });
            PatConfig config = new PatConfig(Duration.ofDays(7), Duration.ofDays(90), List.of("gateway"),
                    Duration.ofSeconds(2), Duration.ofSeconds(30), 100, "newapi");
            RevokedTokens revoked = RevokedTokens.load(database, Clock.systemUTC());

            PatBackground background = PatBackground.start(vertx, config, revoked,
                    new LastUsedTracker(database, Clock.systemUTC()), Duration.ofMillis(20));
            try {
                Await.until("the expired revocation pruned", Duration.ofSeconds(5), () -> logged(database).size() == 1);
            } finally {
                background.stop();
            }
            assertThat(logged(database)).containsExactly("live");
        } finally {
            vertx.close().await();
        }
    }

    private static List<String> logged(Database database) {
        return database.jdbi().withHandle(handle -> Revocations.revocationsAfter(handle, 0)).stream()
                .map(Revocations.Revocation::subject).toList();
    }
}
