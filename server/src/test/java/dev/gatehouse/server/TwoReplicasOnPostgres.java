package dev.gatehouse.server;

import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.store.StoreConfig;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Two Gatehouse replicas on one fresh PostgreSQL schema with one generated key-encryption key, as
 * in a scaled-out deployment; each has its own data directory and port. {@link #close()} stops
 * both and drops the schema.
 */
public final class TwoReplicasOnPostgres implements AutoCloseable {
    private final TestStore store;
    private final GatehouseConfig config;
    private final Gatehouse a;
    private final Gatehouse b;

    private TwoReplicasOnPostgres(TestStore store, GatehouseConfig config, Gatehouse a, Gatehouse b) {
        this.store = store;
        this.config = config;
        this.a = a;
        this.b = b;
    }

    /**
     * Starts replica A, then B, in subdirectories of {@code dir}, configured by {@code overrides}
     * (environment-style names) on the embedded defaults; the store and the KEK are the fixture's.
     */
    public static TwoReplicasOnPostgres start(Path dir, Map<String, String> overrides) {
        TestStore store = TestDatabases.postgres();
        Map<String, String> env = new HashMap<>(overrides);
        env.putAll(storeAndKek(store.config()));
        GatehouseConfig config = TestGatehouse.config(dir.resolve("a"), env);
        Gatehouse a = null;
        try {
            a = Gatehouse.start(config);
            Gatehouse b = Gatehouse.start(TestGatehouse.config(dir.resolve("b"), env));
            return new TwoReplicasOnPostgres(store, config, a, b);
        } catch (RuntimeException e) {
            if (a != null) {
                a.close();
            }
            try {
                store.close();
            } catch (SQLException dropFailed) {
                e.addSuppressed(dropFailed);
            }
            throw e;
        }
    }

    /** The configuration every replica on {@code store} shares: the store, and one generated key-encryption key. */
    public static Map<String, String> storeAndKek(StoreConfig store) {
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        return Map.of(
                "GATEHOUSE_STORE_URL", store.jdbcUrl(),
                "GATEHOUSE_STORE_USERNAME", store.username().orElseThrow(),
                "GATEHOUSE_STORE_SCHEMA", store.schema().orElseThrow(),
                "GATEHOUSE_KEYS_KEK", Base64.getEncoder().encodeToString(kek));
    }

    public Gatehouse a() {
        return a;
    }

    public Gatehouse b() {
        return b;
    }

    /** Replica A's configuration; B's differs only in its data directory. */
    public GatehouseConfig config() {
        return config;
    }

    @Override
    public void close() throws SQLException {
        try {
            a.close();
        } finally {
            try {
                b.close();
            } finally {
                store.close();
            }
        }
    }
}
