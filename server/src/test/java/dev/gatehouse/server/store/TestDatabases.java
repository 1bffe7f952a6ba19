package dev.gatehouse.server.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Throw-away stores for tests: a fresh SQLite file in a temp directory, or a randomly named schema
 * in the real PostgreSQL ({@code GATEHOUSE_TEST_PG_URL}, default {@code
 * jdbc:postgresql://127.0.0.1:5432/test}; {@code GATEHOUSE_TEST_PG_USER}, default {@code postgres})
 * that is dropped on close. PostgreSQL being unreachable fails the test; it is never skipped.
 */
public final class TestDatabases {
    public static final String PG_URL = env("GATEHOUSE_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String PG_USER = env("GATEHOUSE_TEST_PG_USER", "postgres");

    private TestDatabases() {}

    /** The kinds of store every store-backed test runs against. */
    public enum Kind {
        SQLITE,
        POSTGRES;

        public TestStore create(Path tempDir) {
            return this == SQLITE ? sqlite(tempDir) : postgres();
        }
    }

    /** A SQLite store in a not yet existing subdirectory of {@code tempDir}. */
    public static TestStore sqlite(Path tempDir) {
        Path file = tempDir.resolve("data-" + randomSuffix()).resolve("gatehouse.db");
        return new TestStore(Kind.SQLITE,
                new StoreConfig("jdbc:sqlite:" + file, Optional.empty(), Optional.empty(), Optional.empty(), 4),
                Optional.empty());
    }

    /** A PostgreSQL store on a fresh schema (created by {@link Database#open}, dropped on close). */
    public static TestStore postgres() {
        try (Connection ignored = adminConnection()) {
            String schema = "gh_test_" + randomSuffix();
            return new TestStore(Kind.POSTGRES,
                    new StoreConfig(PG_URL, Optional.of(PG_USER), Optional.empty(), Optional.of(schema), 4),
                    Optional.of(schema));
        } catch (SQLException e) {
            throw new AssertionError("PostgreSQL is not reachable at " + PG_URL + " as " + PG_USER
                    + " (set GATEHOUSE_TEST_PG_URL / GATEHOUSE_TEST_PG_USER): " + e.getMessage(), e);
        }
    }

    /** A direct connection to the test PostgreSQL, outside any pool. */
    public static Connection adminConnection() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", PG_USER);
        properties.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(PG_URL, properties);
    }

    private static String randomSuffix() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** One throw-away store; {@link #close()} closes every {@link Database} it opened, then drops it. */
    public static final class TestStore implements AutoCloseable {
        private final Kind kind;
        private final StoreConfig config;
        private final Optional<String> schema;
        private final List<Database> opened = new ArrayList<>();

        private TestStore(Kind kind, StoreConfig config, Optional<String> schema) {
            this.kind = kind;
            this.config = config;
            this.schema = schema;
        }

        public Kind kind() {
            return kind;
        }

        public StoreConfig config() {
            return config;
        }

        /** Opens (and migrates) another {@link Database} on this store, as another replica would. */
        public synchronized Database open() {
            Database database = Database.open(config);
            opened.add(database);
            return database;
        }

        @Override
        public synchronized void close() throws SQLException {
            opened.forEach(Database::close);
            if (schema.isPresent()) {
                try (Connection connection = adminConnection(); Statement statement = connection.createStatement()) {
                    statement.execute("DROP SCHEMA IF EXISTS \"" + schema.get() + "\" CASCADE");
                }
            }
        }

        @Override
        public String toString() {
            return kind.name();
        }
    }
}
