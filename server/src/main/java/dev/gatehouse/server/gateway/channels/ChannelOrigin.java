package dev.gatehouse.server.gateway.channels;

import static java.util.Objects.requireNonNull;

import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.Locale;

/**
 * Where a channel's requests and probes go, read once from its {@code baseUrl}: what {@link
 * RequestOptions#setAbsoluteURI(String)} would take from {@code baseUrl + path} on every request
 * (it parses a {@link java.net.URL} each time). User information in {@code baseUrl} is ignored, as
 * there.
 *
 * @param basePath {@code baseUrl}'s raw path without a trailing slash, so that a path can be appended
 */
public record ChannelOrigin(String host, int port, boolean ssl, String basePath) {
    public ChannelOrigin {
        requireNonNull(host, "host");
        requireNonNull(basePath, "basePath");
    }

    /** @param baseUrl an absolute http or https URL (as {@code ChannelConfig} validates it) */
    public static ChannelOrigin of(URI baseUrl) {
        boolean ssl = baseUrl.getScheme().toLowerCase(Locale.ROOT).equals("https");
        int port = baseUrl.getPort() != -1 ? baseUrl.getPort() : ssl ? 443 : 80;
        String path = baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath();
        return new ChannelOrigin(baseUrl.getHost(), port, ssl,
                path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
    }

    /** New options for {@code path} (starting with {@code /}, appended to {@link #basePath}) at this origin. */
    public RequestOptions request(String path) {
        return new RequestOptions().setHost(host).setPort(port).setSsl(ssl).setURI(basePath + path);
    }
}
