package dev.gatehouse.server.logging;

import static java.util.Objects.requireNonNull;

/**
 * Log output.
 *
 * @param format {@code text} for people, {@code json} for log pipelines
 * @param level root level: TRACE, DEBUG, INFO, WARN or ERROR
 */
public record LoggingConfig(Format format, String level) {

    public enum Format { TEXT, JSON }

    public LoggingConfig {
        requireNonNull(format, "format");
        requireNonNull(level, "level");
        if (!java.util.Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(level)) {
            throw new IllegalArgumentException("logging.level: " + level + " (expected: TRACE, DEBUG, INFO, WARN or ERROR)");
        }
    }
}
