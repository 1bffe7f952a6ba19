package dev.gatehouse.server.config;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Shared helpers of the configuration tests. */
final class ConfigTestSupport {
    private ConfigTestSupport() {}

    static Path write(Path dir, String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static GatehouseConfig loadYaml(Path dir, String yaml, Map<String, String> env) {
        return ConfigLoader.load(write(dir, "gatehouse.yaml", yaml), env);
    }

    static List<String> problemsOf(Path fileOrNull, Map<String, String> env) {
        return assertThatExceptionOfType(ConfigException.class)
                .isThrownBy(() -> ConfigLoader.load(fileOrNull, env))
                .actual()
                .problems();
    }

    static List<String> yamlProblems(Path dir, String yaml) {
        return problemsOf(write(dir, "gatehouse.yaml", yaml), Map.of());
    }
}
