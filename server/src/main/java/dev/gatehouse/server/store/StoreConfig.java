package dev.gatehouse.server.store;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.secrets.Secret;
import java.util.Locale;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.regex.Pattern;

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
    /** {@code scheme://userinfo@}: everything between {@code //} and the first {@code @} of the authority. */
    private static final Pattern USERINFO = Pattern.compile("^([^?]*?//)[^/?#@]*@");

    public StoreConfig {
        requireNonNull(jdbcUrl, "jdbcUrl");
        requireNonNull(username, "username");
        requireNonNull(password, "password");
        requireNonNull(schema, "schema");
        if (!jdbcUrl.startsWith("jdbc:sqlite:") && !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(
                    "store.url: " + redacted(jdbcUrl) + " (expected: jdbc:sqlite:... or jdbc:postgresql://...)");
        }
        if (maxPoolSize < 1 || maxPoolSize > 200) {
            throw new IllegalArgumentException("store.maxPoolSize: " + maxPoolSize + " (expected: 1..200)");
        }
    }

    /**
     * {@code jdbcUrl} safe to show: the userinfo of {@code //user:secret@host} and the value of every
     * query parameter whose name ends in {@code password} (any case; {@code password},
     * {@code sslpassword}) replaced by {@code (redacted)}.
     */
    public static String redacted(String jdbcUrl) {
        String url = USERINFO.matcher(jdbcUrl).replaceFirst("$1(redacted)@");
        int query = url.indexOf('?');
        if (query < 0) {
            return url;
        }
        StringJoiner parameters = new StringJoiner("&", url.substring(0, query + 1), "");
        for (String parameter : url.substring(query + 1).split("&", -1)) {
            int eq = parameter.indexOf('=');
            String name = eq < 0 ? parameter : parameter.substring(0, eq);
            boolean secret = name.toLowerCase(Locale.ROOT).endsWith("password");
            parameters.add(secret ? name + "=(redacted)" : parameter);
        }
        return parameters.toString();
    }

    public boolean isPostgres() {
        return jdbcUrl.startsWith("jdbc:postgresql:");
    }
}
