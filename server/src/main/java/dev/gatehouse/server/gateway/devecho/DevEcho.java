package dev.gatehouse.server.gateway.devecho;

import dev.gatehouse.server.gateway.ChannelConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The development channel: when {@code gateway.channels} is empty outside production, Gatehouse
 * routes the gateway to an upstream of its own ({@link DevEchoRoutes}, model {@value #MODEL}) that
 * repeats the prompt, so that a laptop without an LLM can use the gateway, sandboxes and the console.
 * It is not a model: it answers with the last user message.
 */
public final class DevEcho {
    public static final String NAME = "dev-echo";
    public static final String PROVIDER = "gatehouse-dev";
    public static final String MODEL = "echo";
    static final String PATH = "/dev/echo/v1";

    private DevEcho() {}

    /** The channel to this process's own echo upstream, listening on {@code host}:{@code port}. */
    public static ChannelConfig channel(String host, int port) {
        String loopback = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        URI baseUrl;
        try {
            baseUrl = new URI("http", null, loopback, port, PATH, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("server.host: " + host, e);
        }
        return new ChannelConfig(NAME, PROVIDER, baseUrl, Optional.empty(), Optional.empty(), List.of(MODEL),
                ChannelConfig.DEFAULT_WEIGHT, ChannelConfig.DEFAULT_PRIORITY, ChannelConfig.DEFAULT_PROBE_PATH, Set.of(),
                Map.of(), Map.of(), true);
    }

    /** Whether {@code channels} routes to the development channel. */
    public static boolean inUse(List<ChannelConfig> channels) {
        return channels.stream().anyMatch(channel -> NAME.equals(channel.name()) && PROVIDER.equals(channel.provider()));
    }
}
