package dev.gatehouse.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.server.secrets.Secret;
import dev.gatehouse.server.store.TestDatabases.Kind;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DatabaseTest {
    @TempDir
    Path tempDir;

    @ParameterizedTest
    @EnumSource(Kind.class)
    void open_migratesSchema(Kind kind) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            Database database = store.open();

            assertThat(database.isPostgres()).isEqualTo(kind == Kind.POSTGRES);
            assertThat(keyCount(database)).isZero();
        }
    }

    @Test
    void sqliteAndPostgres_recordTheSameSchemaHistory() throws Exception {
        try (TestStore sqlite = TestDatabases.sqlite(tempDir); TestStore postgres = TestDatabases.postgres()) {
            List<String> sqliteVersions = appliedVersions(sqlite.open());
            List<String> postgresVersions = appliedVersions(postgres.open());

            assertThat(sqliteVersions).startsWith("1").isEqualTo(postgresVersions);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void reopen_onMigratedStore_appliesNothingTwice(Kind kind) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            List<String> first = appliedVersions(store.open());
            List<String> second = appliedVersions(store.open());

            assertThat(second).isEqualTo(first);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void signingKeys_admitAtMostOneActiveKey(Kind kind) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            Database database = store.open();
            database.jdbi().useHandle(handle -> {
                insertKey(handle, "a", "active");
                insertKey(handle, "r1", "retired");
                insertKey(handle, "r2", "retired");
            });

            assertThatThrownBy(() -> database.jdbi().useHandle(handle -> insertKey(handle, "b", "active")))
                    .isInstanceOf(JdbiException.class);
            List<String> kids = database.jdbi().withHandle(handle ->
                    handle.createQuery("SELECT kid FROM signing_keys ORDER BY kid").mapTo(String.class).list());
            assertThat(kids).containsExactly("a", "r1", "r2");
        }
    }

    @Test
    void sqlite_createsParentDirectory_andUsesWalBusyTimeoutAndForeignKeys() throws Exception {
        try (TestStore store = TestDatabases.sqlite(tempDir)) {
            Path file = Path.of(store.config().jdbcUrl().substring("jdbc:sqlite:".length()));
            assertThat(file.getParent()).doesNotExist();

            Database database = store.open();

            assertThat(file).exists();
            database.jdbi().useHandle(handle -> {
                assertThat(pragma(handle, "journal_mode")).isEqualTo("wal");
                assertThat(pragma(handle, "busy_timeout")).isEqualTo(String.valueOf(Database.SQLITE_BUSY_TIMEOUT_MS));
                assertThat(pragma(handle, "foreign_keys")).isEqualTo("1");
            });
        }
    }

    @Test
    void sqliteInMemory_keepsItsDataAcrossCalls() {
        StoreConfig config = new StoreConfig("jdbc:sqlite::memory:", Optional.empty(), Optional.empty(), Optional.empty(), 8);
        try (Database database = Database.open(config)) {
            database.jdbi().useHandle(handle -> insertKey(handle, "a", "active"));

            assertThat(keyCount(database)).isEqualTo(1);
        }
    }

    @Test
    void postgres_createsConfiguredSchema_andKeepsTablesInIt() throws Exception {
        try (TestStore store = TestDatabases.postgres()) {
            String schema = store.config().schema().orElseThrow();

            Database database = store.open();

            // Other test runs on this server keep their own gh_test_* schemas, so look only at ours and the default.
            List<String> tableSchemas = database.jdbi().withHandle(handle -> handle.createQuery("""
                            SELECT table_schema FROM information_schema.tables
                            WHERE table_name IN ('signing_keys', 'flyway_schema_history')
                              AND table_schema IN (:schema, 'public')""")
                    .bind("schema", schema)
                    .mapTo(String.class)
                    .list());
            assertThat(tableSchemas).containsExactly(schema, schema);
        }
    }

    @Test
    void postgres_invalidSchemaName_isRejected() {
        StoreConfig config = new StoreConfig(TestDatabases.PG_URL, Optional.of(TestDatabases.PG_USER),
                Optional.empty(), Optional.of("x\"; DROP TABLE y"), 2);

        assertThatThrownBy(() -> Database.open(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("store.schema: \"x\"; DROP TABLE y\" (expected: ");
    }

    @Test
    void unreachablePostgres_failsWithClearMessage_withoutPasswordOrUrlParameters() {
        StoreConfig config = new StoreConfig("jdbc:postgresql://127.0.0.1:1/test?connectTimeout=2",
                Optional.of("gatehouse"), Optional.of(Secret.of("hunter2-password")), Optional.empty(), 2);

        assertThatThrownBy(() -> Database.open(config))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("store: cannot connect to jdbc:postgresql://127.0.0.1:1/test: ")
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining("connectTimeout");
    }

    private static int keyCount(Database database) {
        return database.jdbi().withHandle(handle ->
                handle.createQuery("SELECT COUNT(*) FROM signing_keys").mapTo(Integer.class).one());
    }

    private static List<String> appliedVersions(Database database) {
        return database.jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank")
                .mapTo(String.class)
                .list());
    }

    private static void insertKey(Handle handle, String kid, String state) {
        boolean active = state.equals("active");
        handle.createUpdate("""
                        INSERT INTO signing_keys
                          (kid, algorithm, public_jwk, private_key_sealed, state, created_at, retired_at, verify_until)
                        VALUES (:kid, 'ES256', '{}', 'AA==', :state, 1, :retiredAt, :verifyUntil)""")
                .bind("kid", kid)
                .bind("state", state)
                .bind("retiredAt", active ? null : 2L)
                .bind("verifyUntil", active ? null : 3L)
                .execute();
    }

    private static String pragma(Handle handle, String name) {
        return handle.createQuery("PRAGMA " + name).mapTo(String.class).one();
    }
}
