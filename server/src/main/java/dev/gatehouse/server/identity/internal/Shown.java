package dev.gatehouse.server.identity.internal;

import java.util.Collection;
import java.util.stream.Collectors;

/** Renders untrusted values for messages: quoted, truncated, without control characters. */
final class Shown {
    static final int MAX_CHARS = 64;

    private Shown() {}

    static String quote(Object value) {
        if (value == null) {
            return "missing";
        }
        String text = value.toString();
        String shown = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) + "..." : text;
        return '"' + shown.replace("\"", "\\\"").replaceAll("\\p{Cntrl}", "?") + '"';
    }

    static String quoteAll(Collection<?> values) {
        return values.stream().map(Shown::quote).collect(Collectors.joining(", ", "[", "]"));
    }
}
