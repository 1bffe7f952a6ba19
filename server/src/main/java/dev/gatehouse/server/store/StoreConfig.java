package dev.gatehouse.server.store;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.config.Secret;
import java.util.Optional;

/**
 * Where Gatehouse keeps its state.
 *
 * @param jdbcUrl {@code jdbc:sqlite:...} (embedded default) or {@code jdbc:postgresql://...}
 * @param username database user, if the URL does not carry one
 * @param password database password
 * @param schema PostgreSQL schema to use (created if missing); ignored for SQLite
 * @param maxPoolSize upper bound of the connection pool
 */
public record StoreConfig(
        String jdbcUrl, Optional<String> username, Optional<Secret> password, Optional<String> schema, int maxPoolSize) {

    public StoreConfig {
        requireNonNull(jdbcUrl, "jdbcUrl");
        requireNonNull(username, "username");
        requireNonNull(password, "password");
        requireNonNull(schema, "schema");
        if (!jdbcUrl.startsWith("jdbc:sqlite:") && !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(
                    "store.url: " + jdbcUrl + " (expected: jdbc:sqlite:... or jdbc:postgresql://...)");
        }
        if (maxPoolSize < 1 || maxPoolSize > 200) {
            throw new IllegalArgumentException("store.maxPoolSize: " + maxPoolSize + " (expected: 1..200)");
        }
    }

    public boolean isPostgres() {
        return jdbcUrl.startsWith("jdbc:postgresql:");
    }
}
