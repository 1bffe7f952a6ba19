package dev.gatehouse.server.http;

import java.util.Collection;
import java.util.stream.Collectors;

/**
 * The server's one way to put an untrusted value (a claim, a path parameter, a field of a request)
 * into a message or a problem detail: cut to {@value #MAX_CHARS} characters, control characters
 * replaced by {@code ?}; {@link #quote} also quotes it and escapes quotes and backslashes. Never
 * use it for anything that could be a credential: those are not shown at all. Stateless.
 */
public final class Shown {
    public static final int MAX_CHARS = 64;

    private Shown() {}

    /** {@code "value"}, or {@code missing} for null. */
    public static String quote(Object value) {
        if (value == null) {
            return "missing";
        }
        return '"' + text(value.toString()).replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** {@code ["a", "b"]}. */
    public static String quoteAll(Collection<?> values) {
        return values.stream().map(Shown::quote).collect(Collectors.joining(", ", "[", "]"));
    }

    /** The value unquoted, for values the message already frames (e.g. {@code ttl: 91d}). */
    public static String text(String value) {
        String cut = value.length() > MAX_CHARS ? value.substring(0, MAX_CHARS) + "..." : value;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
