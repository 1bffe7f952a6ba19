package dev.gatehouse.server.http;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;

/**
 * The HTTP listeners: the API's and the management one ({@code /metrics}, {@code /healthz},
 * {@code /readyz}), both on {@code host}. That the two ports differ is a rule between keys, checked by
 * the configuration loader on the whole configuration, not here.
 *
 * @param host bind address
 * @param port bind port; 0 picks a free one
 * @param managementPort bind port of the management listener; 0 picks a free one
 * @param publicUrl the externally visible base URL (defaults to http://host:port)
 * @param maxBodyBytes largest accepted request body
 * @param shutdownTimeout how long in-flight requests may take to finish on shutdown
 * @param eventLoops event loops serving HTTP (each its own server on the shared port); 0 = one per core
 */
public record HttpConfig(String host, int port, int managementPort, URI publicUrl, long maxBodyBytes,
        Duration shutdownTimeout, int eventLoops) {

    public HttpConfig {
        requireNonNull(host, "host");
        requireNonNull(publicUrl, "publicUrl");
        requireNonNull(shutdownTimeout, "shutdownTimeout");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("server.port: " + port + " (expected: 0..65535)");
        }
        if (managementPort < 0 || managementPort > 65535) {
            throw new IllegalArgumentException("server.managementPort: " + managementPort + " (expected: 0..65535)");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("server.maxBodyBytes: " + maxBodyBytes + " (expected: >= 1024)");
        }
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("server.shutdownTimeout: " + shutdownTimeout + " (expected: >= 0)");
        }
        if (eventLoops < 0 || eventLoops > MAX_EVENT_LOOPS) {
            throw new IllegalArgumentException("server.eventLoops: " + eventLoops + " (expected: 0..256)");
        }
    }

    static final int MAX_EVENT_LOOPS = 256;

    /** How many event loops serve HTTP: {@link #eventLoops()}, or the number of cores when that is 0. */
    public int eventLoopCount() {
        return eventLoops > 0 ? eventLoops : Math.max(1, Runtime.getRuntime().availableProcessors());
    }
}
