package dev.gatehouse.server.gateway.channels;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.http.EventLoopClients;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientAgent;
import java.time.Duration;
import java.util.Optional;

/**
 * A configured channel at run time: its configuration, its API key (read once when the channel is
 * opened), its own pooled keep-alive HTTP clients (one per event loop), its health and the prober
 * (with its own client) that brings it back in. The key is never logged or shown ({@link #toString()}
 * omits it). A request keeps the channel objects it was routed to, so a channel removed by a reload
 * serves its requests in flight until {@link #drain}. Thread-safe.
 */
public final class Channel {
    private final ChannelConfig config;
    private final ChannelOrigin origin;
    private final Optional<String> apiKey;
    private final EventLoopClients clients;
    private final ChannelHealth health;
    private final ChannelProber prober;
    private final HttpClientAgent probeClient;

    Channel(ChannelConfig config, Optional<String> apiKey, EventLoopClients clients, ChannelHealth health,
            ChannelProber prober, HttpClientAgent probeClient) {
        this.config = requireNonNull(config, "config");
        this.origin = ChannelOrigin.of(config.baseUrl());
        this.apiKey = requireNonNull(apiKey, "apiKey");
        this.clients = requireNonNull(clients, "clients");
        this.health = requireNonNull(health, "health");
        this.prober = requireNonNull(prober, "prober");
        this.probeClient = requireNonNull(probeClient, "probeClient");
    }

    public ChannelConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    /** Where its requests go, {@code baseUrl} read once. */
    public ChannelOrigin origin() {
        return origin;
    }

    /** The upstream API key; a credential: send it upstream only. */
    public Optional<String> apiKey() {
        return apiKey;
    }

    /** The pooled keep-alive client of the calling event loop (see {@link EventLoopClients}). */
    public HttpClient client() {
        return clients.current();
    }

    /** Stops probing and closes the clients at once. */
    Future<Void> close() {
        prober.close();
        return Future.join(clients.close(), probeClient.close()).mapEmpty();
    }

    /**
     * Stops probing and closes the clients once the requests in flight on them have ended, after
     * {@code grace} at the latest.
     */
    Future<Void> drain(Duration grace) {
        prober.close();
        return Future.join(clients.shutdown(grace), probeClient.close()).mapEmpty();
    }

    public ChannelHealth health() {
        return health;
    }

    @Override
    public String toString() {
        return "Channel[" + config.name() + ", provider=" + config.provider() + ", " + config.baseUrl() + "]";
    }
}
