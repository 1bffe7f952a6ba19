package dev.gatehouse.sdk.internal;

import java.util.Collection;
import java.util.stream.Collectors;

/**
 * The SDK's one way to put an untrusted value into a message: quoted, cut to {@value #MAX_CHARS}
 * characters, quotes and backslashes escaped, control characters replaced by {@code ?}, so that a
 * value can neither forge log lines nor flood them. Not part of the SDK's API; stateless.
 */
public final class Shown {
    public static final int MAX_CHARS = 64;

    private Shown() {}

    /** {@code "value"}, or {@code missing} for null. */
    public static String quote(Object value) {
        if (value == null) {
            return "missing";
        }
        String text = value.toString();
        String cut = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) + "..." : text;
        return '"' + cut.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("\\p{Cntrl}", "?") + '"';
    }

    /** {@code ["a", "b"]}. */
    public static String quoteAll(Collection<?> values) {
        return values.stream().map(Shown::quote).collect(Collectors.joining(", ", "[", "]"));
    }
}
