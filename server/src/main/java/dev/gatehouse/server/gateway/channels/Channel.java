package dev.gatehouse.server.gateway.channels;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.ChannelConfig;
import io.vertx.core.http.HttpClientAgent;
import java.util.Optional;

/**
 * A configured channel at run time: its configuration, its API key (read once at start), its own
 * pooled keep-alive HTTP client and its health. The key is never logged or shown ({@link #toString()}
 * omits it). Thread-safe.
 */
public final class Channel {
    private final ChannelConfig config;
    private final Optional<String> apiKey;
    private final HttpClientAgent client;
    private final ChannelHealth health;

    Channel(ChannelConfig config, Optional<String> apiKey, HttpClientAgent client, ChannelHealth health) {
        this.config = requireNonNull(config, "config");
        this.apiKey = requireNonNull(apiKey, "apiKey");
        this.client = requireNonNull(client, "client");
        this.health = requireNonNull(health, "health");
    }

    public ChannelConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    /** The upstream API key; a credential: send it upstream only. */
    public Optional<String> apiKey() {
        return apiKey;
    }

    public HttpClientAgent client() {
        return client;
    }

    public ChannelHealth health() {
        return health;
    }

    @Override
    public String toString() {
        return "Channel[" + config.name() + ", provider=" + config.provider() + ", " + config.baseUrl() + "]";
    }
}
