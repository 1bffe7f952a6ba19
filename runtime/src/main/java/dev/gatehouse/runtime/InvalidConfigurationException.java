package dev.gatehouse.runtime;

import java.util.List;

/**
 * The runtime's environment is incomplete or invalid. {@link #problems()} names every problem, one
 * line each, never showing a token. Immutable.
 */
public final class InvalidConfigurationException extends IllegalArgumentException {
    private final List<String> problems;

    InvalidConfigurationException(List<String> problems) {
        super("invalid configuration: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, in the order of the environment contract. */
    public List<String> problems() {
        return problems;
    }
}
