package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.ConfigTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps docs/configuration.md and gatehouse.example.yaml true to the key table. */
class ConfigDocsTest {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final Path DOC = REPO.resolve("docs/configuration.md");
    private static final Path EXAMPLE = REPO.resolve("gatehouse.example.yaml");

    @TempDir
    Path dir;

    @Test
    void documentedKeyTable_matchesTheKeyTable() throws IOException {
        String table = ConfigKeys.ALL.stream()
                .map(ConfigDocsTest::row)
                .collect(Collectors.joining("\n",
                        "| key | environment variable | type | default | description |\n|---|---|---|---|---|\n",
                        "\n"));

        assertThat(Files.readString(DOC))
                .as("docs/configuration.md must contain the key table; regenerate it from:%n%s", table)
                .contains(table);
    }

    @Test
    void example_passesWithItsSecretFilesProvided_andItsDocumentedOutputIsCurrent() throws IOException {
        Map<String, String> env = Map.of(
                "GATEHOUSE_KEYS_KEK_FILE",
                write(dir, "kek", Base64.getEncoder().encodeToString(new byte[32]) + "\n").toString(),
                "GATEHOUSE_STORE_PASSWORD_FILE", write(dir, "store-password", "change-me\n").toString());

        GatehouseConfig config = ConfigLoader.load(EXAMPLE, env);

        assertThat(config.production()).isTrue();
        String output = String.join("\n", ConfigLoader.describe(config)) + "\n";
        assertThat(Files.readString(DOC))
                .as("docs/configuration.md must show the example's output:%n%s", output)
                .contains("```\n" + output + "```");
    }

    @Test
    void example_withoutItsSecretFiles_namesWhatIsMissing_asDocumented() throws IOException {
        ConfigException e = assertThatExceptionOfType(ConfigException.class)
                .isThrownBy(() -> ConfigLoader.load(EXAMPLE, Map.of()))
                .actual();

        assertThat(e.problems()).containsExactly(
                "store.passwordFile: cannot read /run/secrets/gatehouse/store-password (no such file)",
                "keys.kekFile: cannot read /run/secrets/gatehouse/kek (no such file)");
        assertThat(Files.readString(DOC)).contains("```\n" + e.getMessage() + "\n```");
    }

    private static String row(ConfigKey<?> key) {
        String paths = key.yamlPaths().stream().map(path -> "`" + path + "`").collect(Collectors.joining("<br>"));
        String envNames = key.envNames().stream().map(name -> "`" + name + "`").collect(Collectors.joining("<br>"));
        String defaultText = key.defaultText().equals("(not set)") ? "not set" : "`" + key.defaultText() + "`";
        return "| " + String.join(" | ", paths, envNames, key.type().name(), defaultText, key.description()) + " |";
    }
}
