package dev.gatehouse.server.logging;

import static java.util.Objects.requireNonNull;

/**
 * Log output.
 *
 * @param format {@code text} for people, {@code json} for log pipelines
 * @param level root level: TRACE, DEBUG, INFO, WARN or ERROR
 * @param gatewayAccess which {@code /v1/} requests get an access-log line
 */
public record LoggingConfig(Format format, String level, GatewayAccess gatewayAccess) {

    public enum Format { TEXT, JSON }

    /**
     * Access-log lines for the gateway's {@code /v1/} requests. Each of them also has a usage record
     * (request id, caller, channel, model, tokens, outcome, status, duration) and is counted in the
     * metrics, so a line per successful call repeats what is already kept, at a cost the gateway
     * pays on every call. Every other path always gets its line.
     */
    public enum GatewayAccess {
        /** A line for every {@code /v1/} request. */
        ALL,
        /** Lines for {@code /v1/} requests answered with a 4xx or 5xx, or aborted; none for the successful. */
        FAILURES,
        /** No lines for {@code /v1/} requests. */
        NONE
    }

    public LoggingConfig {
        requireNonNull(format, "format");
        requireNonNull(level, "level");
        requireNonNull(gatewayAccess, "gatewayAccess");
        if (!java.util.Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(level)) {
            throw new IllegalArgumentException("logging.level: " + level + " (expected: TRACE, DEBUG, INFO, WARN or ERROR)");
        }
    }
}
