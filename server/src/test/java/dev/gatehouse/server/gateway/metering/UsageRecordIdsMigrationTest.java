package dev.gatehouse.server.gateway.metering;

import static dev.gatehouse.server.gateway.metering.UsageStoreTest.ALICE;
import static dev.gatehouse.server.gateway.metering.UsageStoreTest.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.StoreConfig;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** V13 numbers the usage records a store already has, and new ones follow them. */
class UsageRecordIdsMigrationTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void existingRecords_numberedInTimeOrder_newOnesAfterThem(TestDatabases.Kind kind) throws Exception {
        try (TestStore store = kind.create(dir)) {
            StoreConfig config = store.config();
            if (kind == TestDatabases.Kind.SQLITE) {
                Files.createDirectories(Path.of(config.jdbcUrl().substring("jdbc:sqlite:".length())).getParent());
            }
            var flyway = Flyway.configure()
                    .dataSource(config.jdbcUrl(), config.username().orElse(null), null)
                    .locations("classpath:db/migration")
                    .target("12");
            config.schema().ifPresent(schema -> flyway.schemas(schema).defaultSchema(schema));
            flyway.load().migrate();
            Properties credentials = new Properties();
            config.username().ifPresent(user -> credentials.setProperty("user", user));
            Jdbi v12 = Jdbi.create(() -> DriverManager.getConnection(config.jdbcUrl(), credentials));
            String table = config.schema().map(schema -> "\"" + schema + "\".usage_records").orElse("usage_records");
            for (long at : List.of(T0.toEpochMilli() + 5, T0.toEpochMilli(), T0.toEpochMilli())) {
                v12.useHandle(handle -> handle.execute("INSERT INTO " + table + " (occurred_at, organization, token_id,"
                        + " token_type, prompt_tokens, completion_tokens, outcome, status, duration_ms, spend_micros)"
                        + " VALUES (?, 'acme', 'tok-a', 'pat', 1, 1, 'completed', 200, 1, 0)", at));
            }

            Database database = store.open();
            database.jdbi().useTransaction(handle -> UsageRows.insert(handle, List.of(UsageStoreTest.record(ALICE,
                    T0.minusSeconds(1), "ch-1", "gpt-4o", 1, 1, Outcome.COMPLETED)), () -> true));

            List<String> rows = database.jdbi().withHandle(handle -> handle.createQuery(
                    "SELECT id, occurred_at FROM usage_records ORDER BY id")
                    .map((rs, ctx) -> rs.getLong("id") + "@" + (rs.getLong("occurred_at") - T0.toEpochMilli()))
                    .list());
            assertThat(rows).containsExactly("1@0", "2@0", "3@5", "4@-1000");
        }
    }
}
