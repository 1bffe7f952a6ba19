package dev.gatehouse.sdk.verify;

import java.util.Collection;
import java.util.stream.Collectors;

/** Renders untrusted values for rejection messages: quoted, truncated, without control characters. */
final class Messages {
    private static final int MAX_SHOWN_CHARS = 64;

    private Messages() {}

    static String quote(Object value) {
        if (value == null) {
            return "missing";
        }
        String text = value.toString();
        String shown = text.length() > MAX_SHOWN_CHARS ? text.substring(0, MAX_SHOWN_CHARS) + "..." : text;
        return '"' + shown.replace("\"", "\\\"").replaceAll("\\p{Cntrl}", "?") + '"';
    }

    static String quoteAll(Collection<?> values) {
        return values.stream().map(Messages::quote).collect(Collectors.joining(", ", "[", "]"));
    }
}
