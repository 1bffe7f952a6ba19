package dev.gatehouse.server.gateway.limits;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.secrets.Secret;
import dev.gatehouse.server.store.StoreConfig;
import dev.gatehouse.server.units.Quantities;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Where the per-minute limits are kept ({@code gateway.limits.store}, {@code
 * gateway.limits.redis.*}, {@code gateway.limits.onRedisUnavailable}). Immutable. Rules between keys
 * (a Redis URL is needed with {@code store: redis}) are checked by the configuration loader.
 *
 * @param store in this process ({@code local}, the default) or in Redis, shared by every replica
 * @param redis how to reach Redis; used only with {@link Store#REDIS}
 * @param onRedisUnavailable what admission does while Redis cannot be reached
 */
public record LimitsStoreConfig(Store store, Redis redis, OnRedisUnavailable onRedisUnavailable) {

    /** Per-minute limits per replica, no Redis. */
    public static final LimitsStoreConfig LOCAL = new LimitsStoreConfig(Store.LOCAL, Redis.DEFAULTS,
            OnRedisUnavailable.CLOSED);

    public LimitsStoreConfig {
        requireNonNull(store, "store");
        requireNonNull(redis, "redis");
        requireNonNull(onRedisUnavailable, "onRedisUnavailable");
    }

    /** Where the windows live. */
    public enum Store {
        LOCAL, REDIS;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Admission while Redis does not answer. */
    public enum OnRedisUnavailable {
        /** Refuse the request: 503 {@code rate_limits_unavailable}. */
        CLOSED,
        /** Admit by this replica's own windows, as with {@code store: local}. */
        LOCAL;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A Redis server.
     *
     * @param url {@code redis://host[:port][/database]} or {@code rediss://…} (TLS); no user or
     *     password in it: those are {@code username} and {@code password}
     * @param username the ACL user, if not {@code default}
     * @param password the password ({@code AUTH}), if any
     * @param keyPrefix put before every key, so that deployments (or tests) can share one Redis
     * @param connectTimeout connecting, 10ms..30s
     * @param commandTimeout one command, 1ms..10s: an admission waits at most this long for Redis
     */
    public record Redis(Optional<String> url, Optional<String> username, Optional<Secret> password,
            String keyPrefix, Duration connectTimeout, Duration commandTimeout) {

        public static final String DEFAULT_KEY_PREFIX = "gatehouse:limits:";
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
        public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(200);
        static final Redis DEFAULTS = new Redis(Optional.empty(), Optional.empty(), Optional.empty(),
                DEFAULT_KEY_PREFIX, DEFAULT_CONNECT_TIMEOUT, DEFAULT_COMMAND_TIMEOUT);

        private static final String KEY = LimitsConfig.PREFIX + "redis.";

        public Redis {
            requireNonNull(url, "url");
            requireNonNull(username, "username");
            requireNonNull(password, "password");
            requireNonNull(keyPrefix, "keyPrefix");
            requireNonNull(connectTimeout, "connectTimeout");
            requireNonNull(commandTimeout, "commandTimeout");
            url.ifPresent(Redis::requireRedisUrl);
            requireBetween("connectTimeout", connectTimeout, Duration.ofMillis(10), Duration.ofSeconds(30));
            requireBetween("commandTimeout", commandTimeout, Duration.ofMillis(1), Duration.ofSeconds(10));
        }

        /** {@code url} as a URI; {@link #url()} must be set. */
        URI uri() {
            return URI.create(url.orElseThrow(() -> new IllegalStateException(KEY + "url: not set")));
        }

        /** Where Redis is, safe to log: scheme, host and port. */
        String location() {
            URI uri = uri();
            return uri.getScheme() + "://" + uri.getHost() + ":" + port(uri);
        }

        static int port(URI uri) {
            return uri.getPort() < 0 ? 6379 : uri.getPort();
        }

        private static void requireRedisUrl(String url) {
            String expected = " (expected: redis://host[:port][/database] or rediss://..., without user or password:"
                    + " those are " + KEY + "username and " + KEY + "password)";
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(KEY + "url: \"" + StoreConfig.redacted(url) + "\"" + expected);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            String path = uri.getPath() == null ? "" : uri.getPath();
            boolean valid = (scheme.equals("redis") || scheme.equals("rediss")) && uri.getHost() != null
                    && uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null
                    && (path.isEmpty() || path.equals("/") || path.matches("/[0-9]{1,2}"));
            if (!valid) {
                throw new IllegalArgumentException(KEY + "url: \"" + StoreConfig.redacted(url) + "\"" + expected);
            }
        }

        private static void requireBetween(String name, Duration value, Duration min, Duration max) {
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(KEY + name + ": " + Quantities.formatDuration(value)
                        + " (expected: " + Quantities.formatDuration(min) + ".." + Quantities.formatDuration(max) + ")");
            }
        }
    }
}
