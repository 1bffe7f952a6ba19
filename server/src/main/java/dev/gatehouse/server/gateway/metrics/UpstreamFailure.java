package dev.gatehouse.server.gateway.metrics;

import java.util.Locale;

/** Why one try of one channel failed; the {@code reason} label of {@code gatehouse_gateway_upstream_errors_total}. */
public enum UpstreamFailure {
    /** The connection could not be made, or broke before the response headers. */
    CONNECT,
    /** Connecting took longer than {@code gateway.connectTimeout}. */
    CONNECT_TIMEOUT,
    /** No response headers within {@code gateway.firstByteTimeout}. */
    FIRST_BYTE_TIMEOUT,
    /** The upstream answered 429. */
    STATUS_429,
    /** The upstream answered 5xx. */
    STATUS_5XX,
    /** The upstream answered 401 or 403: it refused the channel's own key. */
    AUTH_REFUSED,
    /** The response had started when the upstream connection broke. */
    RESET_MID_STREAM,
    /** The response had started when the upstream fell silent for longer than {@code gateway.idleTimeout}. */
    IDLE_TIMEOUT;

    /** The label value, e.g. {@code status_5xx}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
