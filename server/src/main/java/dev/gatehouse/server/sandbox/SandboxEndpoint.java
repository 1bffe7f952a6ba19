package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

/**
 * Where Gatehouse's proxy reaches a sandbox's runtime over plain HTTP (and WebSocket): a loopback
 * port for the process backend, the sandbox's Service for the kubernetes backend.
 *
 * @param host a host name or IP address
 * @param port 1..65535
 */
public record SandboxEndpoint(String host, int port) {
    public SandboxEndpoint {
        requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host: \"\" (expected: a host name or address)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
    }

    /** {@code host:port}, as stored. */
    @Override
    public String toString() {
        return host + ":" + port;
    }

    /** Reads {@link #toString()}'s form back. */
    public static SandboxEndpoint parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("endpoint: \"" + text + "\" (expected: host:port)");
        }
        return new SandboxEndpoint(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }
}
