package dev.gatehouse.server.gateway.limits;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.event.Event;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ConnectionDeactivatedEvent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Lettuce connection to Redis. The first connection is tried once when opened (for at most the
 * connect timeout) and, failing that, in the background once a second until it succeeds, so that a
 * replica starts while Redis is away; after that Lettuce reconnects by itself, at least once a second. While there is no connection every command fails at once (nothing is queued), and each
 * command waits at most the command timeout. Thread-safe.
 */
final class RedisLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);

    private final ClientResources resources;
    private final RedisClient client;
    private final String location;
    private final Thread connector;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile boolean closed;

    private RedisLink(LimitsStoreConfig.Redis config) {
        this.location = config.location();
        // Lettuce's own default waits up to 30 s between reconnection attempts: Redis back would go
        // unused that long.
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, redisUri(config));
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(config.connectTimeout()).build())
                .timeoutOptions(TimeoutOptions.enabled(config.commandTimeout()))
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        this.connector = Thread.ofVirtual().name("gatehouse-redis-connect").unstarted(this::connect);
        resources.eventBus().get().subscribe(this::logTransition);
    }

    /** Connects to {@code config.url()}, or goes on trying in the background. */
    static RedisLink open(LimitsStoreConfig.Redis config) {
        RedisLink link = new RedisLink(config);
        if (!link.tryConnect(true)) {
            link.connector.start();
        }
        return link;
    }

    /** Where Redis is, safe to log. */
    String location() {
        return location;
    }

    /** Blocking commands (each at most the command timeout). */
    RedisCommands<String, String> sync() {
        return connected().sync();
    }

    /** Commands that return at once. */
    RedisAsyncCommands<String, String> async() {
        return connected().async();
    }

    @Override
    public void close() {
        closed = true;
        connector.interrupt();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private StatefulRedisConnection<String, String> connected() {
        StatefulRedisConnection<String, String> current = connection;
        if (current == null) {
            throw new RateLimitsUnavailableException("not connected to Redis at " + location + " yet", null);
        }
        return current;
    }

    private void connect() {
        while (!closed) {
            try {
                Thread.sleep(RETRY);
            } catch (InterruptedException e) {
                return;
            }
            if (tryConnect(false)) {
                return;
            }
        }
    }

    private boolean tryConnect(boolean first) {
        try {
            connection = client.connect();
            return true;
        } catch (RedisException e) {
            if (first) {
                log.atWarn().addKeyValue("redis", location).addKeyValue("reason", e.getMessage())
                        .log("Redis for the rate limits is not reachable; retrying every second");
            }
            return false;
        }
    }

    /** Once per loss and per recovery; Lettuce's own lines (one per attempt) are silenced in LoggingSetup. */
    private void logTransition(Event event) {
        if (event instanceof ConnectionDeactivatedEvent && !closed) {
            log.atWarn().addKeyValue("redis", location).log("lost the connection to Redis for the rate limits");
        } else if (event instanceof ConnectionActivatedEvent) {
            log.atInfo().addKeyValue("redis", location).log("connected to Redis for the rate limits");
        }
    }

    private static RedisURI redisUri(LimitsStoreConfig.Redis config) {
        URI uri = config.uri();
        RedisURI.Builder builder = RedisURI.builder()
                .withHost(uri.getHost())
                .withPort(LimitsStoreConfig.Redis.port(uri))
                .withSsl(uri.getScheme().equalsIgnoreCase("rediss"))
                .withTimeout(config.commandTimeout());
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (path.length() > 1) {
            builder.withDatabase(Integer.parseInt(path.substring(1)));
        }
        config.password().ifPresent(password -> {
            char[] chars = password.text().toCharArray();
            config.username().ifPresentOrElse(user -> builder.withAuthentication(user, chars),
                    () -> builder.withPassword(chars));
        });
        return builder.build();
    }
}
