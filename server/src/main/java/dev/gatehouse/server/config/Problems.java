package dev.gatehouse.server.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Collects the problems of one load and remembers which keys they concern. Not thread-safe. */
final class Problems {
    private static final int MAX_QUOTED = 80;

    private final List<String> messages = new ArrayList<>();
    private final Set<ConfigKey<?>> keys = new HashSet<>();

    void add(String message) {
        messages.add(message);
    }

    void add(ConfigKey<?> key, String message) {
        keys.add(key);
        messages.add(message);
    }

    /** Keys with a problem; their values are not used further. */
    Set<ConfigKey<?>> keys() {
        return Set.copyOf(keys);
    }

    void throwIfAny() {
        if (!messages.isEmpty()) {
            throw toException();
        }
    }

    ConfigException toException() {
        return new ConfigException(messages);
    }

    /** A non-secret value in double quotes, escaped to stay on one line and shortened if long. */
    static String quote(String value) {
        String shortened = value.length() > MAX_QUOTED ? value.substring(0, MAX_QUOTED) + "..." : value;
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : shortened.toCharArray()) {
            switch (c) {
                case '"', '\\' -> quoted.append('\\').append(c);
                case '\n' -> quoted.append("\\n");
                default -> quoted.append(c < ' ' ? "\\u%04x".formatted((int) c) : String.valueOf(c));
            }
        }
        return quoted.append('"').toString();
    }

    /** Why a file could not be read, without its contents. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
