package dev.gatehouse.server.gateway.channels;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.http.EventLoopClients;
import io.vertx.core.http.HttpClient;
import java.util.Optional;

/**
 * A configured channel at run time: its configuration, its API key (read once at start), its own
 * pooled keep-alive HTTP clients (one per event loop) and its health. The key is never logged or shown ({@link #toString()}
 * omits it). Thread-safe.
 */
public final class Channel {
    private final ChannelConfig config;
    private final Optional<String> apiKey;
    private final EventLoopClients clients;
    private final ChannelHealth health;

    Channel(ChannelConfig config, Optional<String> apiKey, EventLoopClients clients, ChannelHealth health) {
        this.config = requireNonNull(config, "config");
        this.apiKey = requireNonNull(apiKey, "apiKey");
        this.clients = requireNonNull(clients, "clients");
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

    /** The pooled keep-alive client of the calling event loop (see {@link EventLoopClients}). */
    public HttpClient client() {
        return clients.current();
    }

    EventLoopClients clients() {
        return clients;
    }

    public ChannelHealth health() {
        return health;
    }

    @Override
    public String toString() {
        return "Channel[" + config.name() + ", provider=" + config.provider() + ", " + config.baseUrl() + "]";
    }
}
