package dev.gatehouse.server.secrets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads a secret the configuration points at (a file, or an environment variable) when a role
 * starts, so that a missing one fails the start with a message naming where it was looked for, and
 * never the value.
 */
public final class ConfiguredSecrets {
    private ConfiguredSecrets() {}

    /**
     * The secret in {@code file}, else in environment variable {@code variable}, stripped; empty when
     * neither is configured.
     *
     * @param owner what the secret belongs to, for messages (e.g. {@code gateway channel openai})
     * @param fileKey and {@code variableKey}: the configuration fields naming them, for messages
     * @throws IllegalStateException when the configured file or variable is missing, unreadable or empty
     */
    public static Optional<String> read(String owner, String fileKey, Optional<Path> file, String variableKey,
            Optional<String> variable, Function<String, String> environment) {
        if (file.isPresent()) {
            try {
                String secret = Files.readString(file.get()).strip();
                if (secret.isEmpty()) {
                    throw new IllegalStateException(owner + ": " + fileKey + " " + file.get() + " is empty");
                }
                return Optional.of(secret);
            } catch (IOException e) {
                throw new IllegalStateException(owner + ": cannot read " + fileKey + " " + file.get() + " ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        if (variable.isPresent()) {
            String secret = environment.apply(variable.get());
            if (secret == null || secret.isBlank()) {
                throw new IllegalStateException(owner + ": environment variable " + variable.get() + " (" + variableKey
                        + ") is not set");
            }
            return Optional.of(secret.strip());
        }
        return Optional.empty();
    }
}
