package dev.gatehouse.server.gateway.metering;

import java.util.Locale;

/** How a metered gateway request ended. */
public enum Outcome {
    /** The upstream answered and the whole response reached the client. */
    COMPLETED,
    /** The response was cut short after it had started: the client went away or the upstream stream broke. */
    ABORTED,
    /** No usable response: refused upstream, error status, timeout or failure before the first byte. */
    FAILED;

    /** The lower-case name stored and shown in the admin API, e.g. {@code completed}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The outcome of a {@link #value()}. */
    public static Outcome fromValue(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
