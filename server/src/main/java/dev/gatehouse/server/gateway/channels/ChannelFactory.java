package dev.gatehouse.server.gateway.channels;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.gateway.GatewayConfig;
import dev.gatehouse.server.http.EventLoopClients;
import dev.gatehouse.server.secrets.ConfiguredSecrets;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Opens channels with the gateway's connection settings, as they were at start: each with its own
 * HTTP clients, health and prober (the probers run on one context). Thread-safe.
 */
final class ChannelFactory {
    private final Vertx vertx;
    private final Context probes;
    private final GatewayConfig config;
    private final int eventLoops;
    private final Function<String, String> env;
    private final Clock clock;

    ChannelFactory(Vertx vertx, GatewayConfig config, int eventLoops, Function<String, String> env, Clock clock) {
        this.vertx = requireNonNull(vertx, "vertx");
        this.probes = vertx.getOrCreateContext();
        this.config = requireNonNull(config, "config");
        this.eventLoops = eventLoops;
        this.env = requireNonNull(env, "env");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Reads the channel's API key ({@code apiKeyFile}, or {@code apiKeyEnv} from the environment).
     *
     * @throws IllegalStateException naming the channel whose key cannot be read (never the key)
     */
    Optional<String> apiKey(ChannelConfig channel) {
        return ConfiguredSecrets.read("gateway channel " + channel.name(), "apiKeyFile", channel.apiKeyFile(),
                "apiKeyEnv", channel.apiKeyEnv(), env);
    }

    /** A channel with its clients and prober. */
    Channel open(ChannelConfig channel, Optional<String> key) {
        Duration probeTimeout = config.firstByteTimeout().compareTo(config.channelProbeInterval()) < 0
                ? config.firstByteTimeout() : config.channelProbeInterval();
        boolean https = channel.baseUrl().getScheme().equalsIgnoreCase("https");
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .setKeepAlive(true)
                .setSsl(https)
                .setVerifyHost(true)
                .setDecompressionSupported(false)
                .setMaxInitialLineLength(8192)
                .setName("gateway-" + channel.name());
        EventLoopClients clients = new EventLoopClients(vertx, options, config.maxConnectionsPerChannel(),
                config.maxWaitingPerChannel(), eventLoops);
        HttpClientAgent probeClient = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(1));
        ChannelProber prober = new ChannelProber(probes, channel, key, probeClient, config.channelProbeInterval(),
                probeTimeout);
        return new Channel(channel, key, clients, new ChannelHealth(channel.name(), config.channelFailureThreshold(),
                config.channelFailureWindow(), System::nanoTime, clock, prober), prober, probeClient);
    }
}
