package dev.gatehouse.server.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.sqlite.SQLiteConfig;

/**
 * Gatehouse's relational store: a HikariCP pool, the schema migrated by Flyway from
 * {@code classpath:db/migration} (one set of SQL migrations shared by SQLite and PostgreSQL), and
 * a {@link Jdbi} on top.
 *
 * <p>SQLite (the embedded default): the parent directory of the database file is created; every
 * connection runs in WAL mode with {@code synchronous=NORMAL}, a {@value #SQLITE_BUSY_TIMEOUT_MS} ms
 * busy timeout, foreign keys enforced and {@code BEGIN IMMEDIATE} transactions (a transaction takes
 * the single write lock up front, so it waits for another writer instead of failing when it
 * upgrades from read to write). The pool holds at most {@value #SQLITE_MAX_POOL_SIZE} connections
 * (one writer and a few concurrent WAL readers is all SQLite can use), or exactly one for an
 * in-memory database, which lives only as long as its connection.
 *
 * <p>PostgreSQL: when {@code store.schema} is set the schema is created if missing and used both
 * by Flyway and as {@code currentSchema} of every pooled connection.
 *
 * <p>All calls block (JDBC); run them off the event loop. Thread-safe.
 */
public final class Database implements AutoCloseable {
    static final int SQLITE_MAX_POOL_SIZE = 4;
    static final int SQLITE_BUSY_TIMEOUT_MS = 5_000;

    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final boolean postgres;

    private Database(HikariDataSource dataSource, boolean postgres) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.postgres = postgres;
    }

    /**
     * Opens the pool and migrates the schema to the latest version.
     *
     * @throws IllegalArgumentException if {@code store.schema} is not a plain PostgreSQL identifier
     * @throws StoreException if the database cannot be reached, the schema cannot be created or a
     *     migration fails
     * @throws UncheckedIOException if the directory of the SQLite file cannot be created
     */
    public static Database open(StoreConfig config) {
        requireNonNull(config, "config");
        Optional<String> schema = config.isPostgres() ? config.schema() : Optional.empty();
        schema.ifPresent(Database::checkSchemaName);
        String where = withoutParameters(config.jdbcUrl());
        Optional<Path> sqliteFile = config.isPostgres() ? Optional.empty() : sqliteFile(config.jdbcUrl());
        sqliteFile.map(file -> file.toAbsolutePath().getParent()).ifPresent(Database::createDirectories);

        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(
                    config.isPostgres() ? postgresPool(config) : sqlitePool(config, sqliteFile.isEmpty()));
        } catch (RuntimeException e) {
            throw new StoreException("store: cannot connect to " + where + ": " + rootMessage(e), e);
        }
        Database database = new Database(dataSource, config.isPostgres());
        try {
            schema.ifPresent(database::createSchemaIfMissing);
            database.migrate(schema);
            return database;
        } catch (RuntimeException e) {
            database.close();
            String inSchema = schema.map(name -> " (schema " + name + ")").orElse("");
            throw new StoreException("store: cannot migrate " + where + inSchema + ": " + rootMessage(e), e);
        }
    }

    /** The JDBI entry point over the pool. */
    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * A connection of its own, outside the pool, for {@link StoreHealth}: on PostgreSQL connecting,
     * logging in and every statement give up after {@code timeout} (whole seconds, at least one), so
     * a dead server or network costs the caller at most that, never the pool's connection timeout.
     * The caller closes it.
     */
    public Connection connectDirectly(Duration timeout) throws SQLException {
        requireNonNull(timeout, "timeout");
        if (dataSource.isClosed()) {
            throw new SQLException("the store is closed", "08003");
        }
        Properties properties = new Properties();
        properties.putAll(dataSource.getDataSourceProperties());
        if (dataSource.getUsername() != null) {
            properties.setProperty("user", dataSource.getUsername());
        }
        if (dataSource.getPassword() != null) {
            properties.setProperty("password", dataSource.getPassword());
        }
        if (postgres) {
            String seconds = String.valueOf(Math.max(1, timeout.toSeconds()));
            properties.setProperty("connectTimeout", seconds);
            properties.setProperty("loginTimeout", seconds);
            properties.setProperty("socketTimeout", seconds);
        }
        return DriverManager.getConnection(dataSource.getJdbcUrl(), properties);
    }

    /**
     * Runs {@code work} in a transaction whose commit is durable when this returns: on PostgreSQL
     * every commit is (the server's default {@code synchronous_commit=on}); on SQLite this
     * transaction's connection switches to {@code synchronous=FULL} (the WAL is fsynced at commit)
     * and back to the pool's {@code NORMAL} afterwards (whose commits survive a crash of the process
     * but may be lost with the machine). An fsync costs about 0.2 ms on the project machines: meant
     * for commits that carry many writes at once ({@link GroupCommitter}).
     */
    public <T> T inDurableTransaction(HandleCallback<T, RuntimeException> work) {
        requireNonNull(work, "work");
        if (postgres) {
            return jdbi.inTransaction(work);
        }
        return jdbi.withHandle(handle -> {
            handle.execute("PRAGMA synchronous = FULL");
            try {
                return handle.inTransaction(work);
            } finally {
                handle.execute("PRAGMA synchronous = NORMAL");
            }
        });
    }

    /** The most connections the pool opens. */
    public int poolSize() {
        return dataSource.getMaximumPoolSize();
    }

    /** Whether this is PostgreSQL (otherwise SQLite). */
    public boolean isPostgres() {
        return postgres;
    }

    /** Closes the pool; idempotent. */
    @Override
    public void close() {
        dataSource.close();
    }

    private static HikariConfig postgresPool(StoreConfig config) {
        HikariConfig pool = basePool(config);
        pool.setMaximumPoolSize(config.maxPoolSize());
        config.username().ifPresent(pool::setUsername);
        config.password().ifPresent(password -> pool.setPassword(password.text()));
        config.schema().ifPresent(schema -> pool.addDataSourceProperty("currentSchema", schema));
        return pool;
    }

    private static HikariConfig sqlitePool(StoreConfig config, boolean inMemory) {
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        sqlite.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
        sqlite.enforceForeignKeys(true);
        sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);

        HikariConfig pool = basePool(config);
        pool.setDataSourceProperties(sqlite.toProperties());
        if (inMemory) {
            pool.setMaximumPoolSize(1);
            pool.setMaxLifetime(0);
        } else {
            pool.setMaximumPoolSize(Math.min(config.maxPoolSize(), SQLITE_MAX_POOL_SIZE));
        }
        return pool;
    }

    private static HikariConfig basePool(StoreConfig config) {
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("gatehouse-store");
        pool.setJdbcUrl(config.jdbcUrl());
        pool.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        return pool;
    }

    /** The database file of a {@code jdbc:sqlite:} URL, or empty for an in-memory database. */
    private static Optional<Path> sqliteFile(String jdbcUrl) {
        String location = withoutParameters(jdbcUrl.substring("jdbc:sqlite:".length()));
        if (location.startsWith("file:")) {
            location = location.substring("file:".length());
        }
        if (location.isEmpty() || location.equals(":memory:") || jdbcUrl.contains("mode=memory")) {
            return Optional.empty();
        }
        return Optional.of(Path.of(location));
    }

    private static void createDirectories(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("store: cannot create directory " + directory, e);
        }
    }

    private static void checkSchemaName(String schema) {
        if (!SCHEMA_NAME.matcher(schema).matches()) {
            throw new IllegalArgumentException("store.schema: \"" + schema
                    + "\" (expected: lower-case letters, digits and '_', not starting with a digit, at most 63 characters)");
        }
    }

    private void createSchemaIfMissing(String schema) {
        jdbi.useTransaction(handle -> {
            // Serialises concurrent replicas: CREATE SCHEMA IF NOT EXISTS alone can still collide.
            handle.execute("SELECT pg_advisory_xact_lock(hashtext('gatehouse-create-schema'))");
            handle.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"");
        });
    }

    private void migrate(Optional<String> schema) {
        var flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .failOnMissingLocations(true)
                .createSchemas(false);
        schema.ifPresent(name -> flyway.schemas(name).defaultSchema(name));
        flyway.load().migrate();
    }

    private static String withoutParameters(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
