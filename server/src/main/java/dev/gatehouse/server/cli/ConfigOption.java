package dev.gatehouse.server.cli;

import dev.gatehouse.server.config.ConfigException;
import dev.gatehouse.server.config.ConfigLoader;
import dev.gatehouse.server.config.GatehouseConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code -c/--config FILE}: the YAML configuration. Falls back to {@code $GATEHOUSE_CONFIG}, then
 * to {@code ./gatehouse.yaml} if it exists, then to the embedded defaults. Environment variables
 * override the file either way.
 */
final class ConfigOption {
    static final Path DEFAULT_FILE = Path.of("gatehouse.yaml");

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML configuration file (default: $GATEHOUSE_CONFIG, else ./gatehouse.yaml if present, else built-in defaults).")
    Path file;

    GatehouseConfig load() {
        return loadFrom(resolve(), true);
    }

    Path resolve() {
        if (file != null) {
            return file;
        }
        String fromEnv = System.getenv("GATEHOUSE_CONFIG");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        return Files.exists(DEFAULT_FILE) ? DEFAULT_FILE : null;
    }

    static GatehouseConfig loadFrom(Path path, boolean required) {
        if (path != null && required && !Files.isRegularFile(path)) {
            throw new UserFacingException("gatehouse: configuration file not found: " + path, GatehouseCli.EXIT_USAGE);
        }
        try {
            return ConfigLoader.load(path, System.getenv());
        } catch (ConfigException e) {
            throw new UserFacingException(e.getMessage(), GatehouseCli.EXIT_USAGE);
        }
    }
}
