package dev.gatehouse.server.config;

import java.util.List;

/**
 * The configuration could not be loaded. {@link #problems()} holds every problem found in one pass,
 * one line each, naming the key (YAML path or environment variable) and the expected form, e.g.
 * {@code server.port: "abc" (expected: integer 0..65535)}. Never contains a secret value.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    ConfigException(List<String> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, in the order found. */
    public List<String> problems() {
        return problems;
    }

    private static String message(List<String> problems) {
        String count = problems.size() == 1 ? "1 problem" : problems.size() + " problems";
        return "invalid configuration (" + count + "):\n  " + String.join("\n  ", problems);
    }
}
