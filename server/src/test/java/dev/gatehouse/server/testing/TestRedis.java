package dev.gatehouse.server.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The real Redis of the test run ({@code GATEHOUSE_TEST_REDIS_HOST}, default {@code 127.0.0.1};
 * {@code GATEHOUSE_TEST_REDIS_PORT}, default {@code 6379}, as {@code run-tests} checks it), with a
 * key prefix of its own per test so that tests never see each other's keys; {@link #close()}
 * deletes the keys under it. Redis not answering {@code PING} fails the test; it is never skipped.
 */
public final class TestRedis implements AutoCloseable {
    public static final String URL = "redis://" + env("GATEHOUSE_TEST_REDIS_HOST", "127.0.0.1") + ":"
            + env("GATEHOUSE_TEST_REDIS_PORT", "6379");

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final String keyPrefix;

    private TestRedis(RedisClient client, StatefulRedisConnection<String, String> connection) {
        this.client = client;
        this.connection = connection;
        this.keyPrefix = "gh-test:" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ":";
    }

    /** Connects and checks that Redis answers {@code PING}. */
    public static TestRedis connect() {
        RedisURI uri = RedisURI.create(URL);
        uri.setTimeout(Duration.ofSeconds(5));
        RedisClient client = RedisClient.create(uri);
        try {
            StatefulRedisConnection<String, String> connection = client.connect();
            if (!"PONG".equals(connection.sync().ping())) {
                throw new AssertionError("Redis at " + URL + " did not answer PING with PONG");
            }
            return new TestRedis(client, connection);
        } catch (RedisException e) {
            client.shutdown();
            throw new AssertionError("Redis is not reachable at " + URL
                    + " (set GATEHOUSE_TEST_REDIS_HOST / GATEHOUSE_TEST_REDIS_PORT): " + e.getMessage(), e);
        }
    }

    /** A prefix no other test uses. */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** Commands to look at what the code under test wrote. */
    public RedisCommands<String, String> commands() {
        return connection.sync();
    }

    /** A loopback URL where nothing listens. */
    public static String closedPortUrl() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "redis://127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            var keys = connection.sync().keys(keyPrefix + "*");
            if (!keys.isEmpty()) {
                connection.sync().del(keys.toArray(String[]::new));
            }
        } finally {
            connection.close();
            client.shutdown();
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
