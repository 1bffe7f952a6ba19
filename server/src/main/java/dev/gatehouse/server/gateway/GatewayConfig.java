package dev.gatehouse.server.gateway;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The LLM gateway ({@code gateway.*} keys). Immutable; validated here, every violation named by its
 * key ({@code gateway.channels[2].baseUrl: ...}).
 *
 * @param channels the upstreams; names unique
 * @param defaultProvider the provider used when a request names none; must have a channel. Unset:
 *     a request without {@code ?provider=} may use every channel
 * @param acceptSessions whether session tokens are accepted besides sandbox tokens and gateway PATs
 * @param connectTimeout connecting to an upstream (1ms..5m)
 * @param firstByteTimeout from sending the request until the upstream's response headers (1ms..1h)
 * @param idleTimeout longest silence of an upstream while its body streams (1ms..1h)
 * @param maxRequestBytes largest accepted request body (1KiB..64MiB)
 * @param channelFailureThreshold failures within {@code channelFailureWindow} that take a channel out (1..1000)
 * @param channelFailureWindow the window failures are counted in
 * @param channelProbeInterval how often a channel that is out is probed (see {@code ChannelProber})
 * @param maxConnectionsPerChannel most connections open to one channel at once, which is the most
 *     requests in flight to it (1..10000)
 * @param maxWaitingPerChannel most requests that may wait for one of those connections when all are
 *     taken or being opened (0..10000); a request beyond that fails over to the next channel, or is
 *     answered 503
 */
public record GatewayConfig(
        List<ChannelConfig> channels,
        Optional<String> defaultProvider,
        boolean acceptSessions,
        Duration connectTimeout,
        Duration firstByteTimeout,
        Duration idleTimeout,
        long maxRequestBytes,
        int channelFailureThreshold,
        Duration channelFailureWindow,
        Duration channelProbeInterval,
        int maxConnectionsPerChannel,
        int maxWaitingPerChannel) {

    public static final long DEFAULT_MAX_REQUEST_BYTES = 4L * 1024 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_CHANNEL = 1024;
    public static final int DEFAULT_MAX_WAITING_PER_CHANNEL = 128;

    public GatewayConfig {
        channels = List.copyOf(requireNonNull(channels, "channels"));
        requireNonNull(defaultProvider, "defaultProvider");
        requireNonNull(connectTimeout, "connectTimeout");
        requireNonNull(firstByteTimeout, "firstByteTimeout");
        requireNonNull(idleTimeout, "idleTimeout");
        requireNonNull(channelFailureWindow, "channelFailureWindow");
        requireNonNull(channelProbeInterval, "channelProbeInterval");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < channels.size(); i++) {
            if (!names.add(channels.get(i).name())) {
                throw new IllegalArgumentException("gateway.channels[" + i + "].name: \"" + channels.get(i).name()
                        + "\" (expected: unique; an earlier channel has this name)");
            }
        }
        if (defaultProvider.isPresent() && !channels.isEmpty()
                && channels.stream().noneMatch(channel -> channel.provider().equals(defaultProvider.get()))) {
            throw new IllegalArgumentException("gateway.defaultProvider: \"" + defaultProvider.get()
                    + "\" (expected: the provider of a configured channel)");
        }
        within("gateway.connectTimeout", connectTimeout, Duration.ofMinutes(5));
        within("gateway.firstByteTimeout", firstByteTimeout, Duration.ofHours(1));
        within("gateway.idleTimeout", idleTimeout, Duration.ofHours(1));
        within("gateway.channelFailureWindow", channelFailureWindow, Duration.ofHours(1));
        within("gateway.channelProbeInterval", channelProbeInterval, Duration.ofHours(1));
        if (maxRequestBytes < 1024 || maxRequestBytes > 64L * 1024 * 1024) {
            throw new IllegalArgumentException("gateway.maxRequestBytes: " + maxRequestBytes
                    + " (expected: 1KiB..64MiB)");
        }
        if (channelFailureThreshold < 1 || channelFailureThreshold > 1000) {
            throw new IllegalArgumentException("gateway.channelFailureThreshold: " + channelFailureThreshold
                    + " (expected: 1..1000)");
        }
        if (maxConnectionsPerChannel < 1 || maxConnectionsPerChannel > 10_000) {
            throw new IllegalArgumentException("gateway.maxConnectionsPerChannel: " + maxConnectionsPerChannel
                    + " (expected: 1..10000)");
        }
        if (maxWaitingPerChannel < 0 || maxWaitingPerChannel > 10_000) {
            throw new IllegalArgumentException("gateway.maxWaitingPerChannel: " + maxWaitingPerChannel
                    + " (expected: 0..10000)");
        }
    }

    /** No channels, defaults everywhere: the gateway answers every model request with 404. */
    public static GatewayConfig defaults() {
        return new GatewayConfig(List.of(), Optional.empty(), false, Duration.ofSeconds(5), Duration.ofSeconds(60),
                Duration.ofSeconds(60), DEFAULT_MAX_REQUEST_BYTES, 5, Duration.ofSeconds(30), Duration.ofSeconds(10),
                DEFAULT_MAX_CONNECTIONS_PER_CHANNEL, DEFAULT_MAX_WAITING_PER_CHANNEL);
    }

    /** This configuration with other channels and default provider (tests, programmatic set-ups). */
    public GatewayConfig withChannels(List<ChannelConfig> channels, Optional<String> defaultProvider) {
        return new GatewayConfig(channels, defaultProvider, acceptSessions, connectTimeout, firstByteTimeout,
                idleTimeout, maxRequestBytes, channelFailureThreshold, channelFailureWindow, channelProbeInterval,
                maxConnectionsPerChannel, maxWaitingPerChannel);
    }

    private static void within(String key, Duration value, Duration max) {
        if (value.isNegative() || value.isZero() || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(key + ": " + value + " (expected: > 0 and <= " + max + ")");
        }
    }
}
