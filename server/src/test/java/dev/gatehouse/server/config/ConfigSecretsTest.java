package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.ConfigTestSupport.loadYaml;
import static dev.gatehouse.server.config.ConfigTestSupport.problemsOf;
import static dev.gatehouse.server.config.ConfigTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.gatehouse.server.secrets.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSecretsTest {
    private static final String MARKER = "Xyzzy-S3cret-Marker";
    private static final String HS256 = MARKER + "-long-enough-for-hs256-0123456789";

    @TempDir
    Path dir;

    private final byte[] kek = new SecureRandom().generateSeed(32);
    private final String kekBase64 = Base64.getEncoder().encodeToString(kek);

    @Test
    void envFile_isRead_oneTrailingNewlineStripped() {
        Map<String, String> env = Map.of(
                "GATEHOUSE_KEYS_KEK_FILE", write(dir, "kek", kekBase64 + "\n").toString(),
                "GATEHOUSE_STORE_PASSWORD_FILE", write(dir, "password", "pw\n\n").toString(),
                "GATEHOUSE_KEYS_HS256_SECRET_FILE", write(dir, "hs256", HS256 + "\r\n").toString());

        GatehouseConfig config = ConfigLoader.load(null, env);

        assertThat(config.keys().keyEncryptionKey()).contains(Secret.ofBytes(kek));
        assertThat(config.store().password()).contains(Secret.of("pw\n"));
        assertThat(config.keys().hs256Secret()).contains(Secret.of(HS256));
    }

    @Test
    void yamlFileForm_isRead() {
        String yaml = """
                store:
                  passwordFile: %s
                keys:
                  kekFile: %s
                """.formatted(write(dir, "password", "pw").toString(), write(dir, "kek", kekBase64).toString());

        GatehouseConfig config = loadYaml(dir, yaml, Map.of());

        assertThat(config.store().password()).contains(Secret.of("pw"));
        assertThat(config.keys().keyEncryptionKey()).contains(Secret.ofBytes(kek));
    }

    @Test
    void environmentValue_winsOverYamlFileForm_whoseFileIsThenNotRead() {
        String yaml = "keys:\n  kekFile: " + dir.resolve("absent") + "\n";

        GatehouseConfig config = loadYaml(dir, yaml, Map.of("GATEHOUSE_KEYS_KEK", kekBase64));

        assertThat(config.keys().keyEncryptionKey()).contains(Secret.ofBytes(kek));
    }

    @Test
    void valueAndFileBothSet_isAProblem() {
        Map<String, String> env = Map.of(
                "GATEHOUSE_KEYS_KEK", kekBase64,
                "GATEHOUSE_KEYS_KEK_FILE", write(dir, "kek", kekBase64).toString());
        Path yaml = write(dir, "gatehouse.yaml", "store:\n  password: pw\n  passwordFile: /run/pw\n");

        assertThat(problemsOf(yaml, env)).containsExactly(
                "store.password: set by both store.password and store.passwordFile (expected: exactly one of them)",
                "keys.kek: set by both GATEHOUSE_KEYS_KEK and GATEHOUSE_KEYS_KEK_FILE (expected: exactly one of them)");
    }

    @Test
    void unreadableSecretFile_namesVariableAndPath() {
        Path missing = dir.resolve("missing");

        assertThat(problemsOf(null, Map.of(
                "GATEHOUSE_STORE_PASSWORD_FILE", missing.toString(),
                "NEWAPI_TOKEN_SIGNING_KEY_FILE", dir.toString())))
                .containsExactly(
                        "GATEHOUSE_STORE_PASSWORD_FILE: cannot read " + missing + " (no such file)",
                        "NEWAPI_TOKEN_SIGNING_KEY_FILE: cannot read " + dir + " (Is a directory)");
    }

    @Test
    void newApiSigningKey_isAnAliasOfHs256Secret() {
        assertThat(ConfigLoader.load(null, Map.of("NEWAPI_TOKEN_SIGNING_KEY", HS256)).keys().hs256Secret())
                .contains(Secret.of(HS256));
        String file = write(dir, "newapi", HS256 + "\n").toString();
        assertThat(ConfigLoader.load(null, Map.of("NEWAPI_TOKEN_SIGNING_KEY_FILE", file)).keys().hs256Secret())
                .contains(Secret.of(HS256));
    }

    @Test
    void newApiSigningKey_andGatehouseVariableBothSet_isAProblem() {
        assertThat(problemsOf(null, Map.of("NEWAPI_TOKEN_SIGNING_KEY", HS256, "GATEHOUSE_KEYS_HS256_SECRET", HS256)))
                .containsExactly("keys.hs256Secret: set by both GATEHOUSE_KEYS_HS256_SECRET and NEWAPI_TOKEN_SIGNING_KEY"
                        + " (expected: exactly one of them)");
    }

    @Test
    void shortHs256Secret_isReportedByLengthUnderTheVariableThatSetIt() {
        assertThat(problemsOf(null, Map.of("NEWAPI_TOKEN_SIGNING_KEY", "0123456789")))
                .containsExactly("NEWAPI_TOKEN_SIGNING_KEY: 10 bytes (expected: >= 32 bytes)");
    }

    @Test
    void wrongKek_isReportedByLengthOrEncoding() {
        String sixteenBytes = Base64.getEncoder().encodeToString(new byte[16]);

        assertThat(loadProblems("keys:\n  kek: " + sixteenBytes + "\n"))
                .containsExactly("keys.kek: 16 bytes (expected: 32 bytes, base64)");
        assertThat(loadProblems("keys:\n  kek: '*not*base64*'\n"))
                .containsExactly("keys.kek: not base64 (expected: 32 bytes, base64)");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_KEYS_KEK_FILE", write(dir, "kek", sixteenBytes).toString())))
                .containsExactly("GATEHOUSE_KEYS_KEK_FILE: 16 bytes (expected: 32 bytes, base64)");
    }

    @Test
    void secretInAList_isRefusedWithoutEcho() {
        assertThat(loadProblems("store:\n  password: [" + MARKER + "]\n"))
                .containsExactly("store.password: a list (expected: text)");
    }

    @Test
    void secrets_neverAppearInProblems() {
        Path yaml = write(dir, "gatehouse.yaml", """
                production: true
                identity:
                  local: false
                store:
                  password: %1$s
                keys:
                  kek: %1$s
                  kekk: %1$s
                server:
                  port: 70000
                roles: [auth, gateway]
                """.formatted(MARKER));
        Map<String, String> env = Map.of(
                "NEWAPI_TOKEN_SIGNING_KEY", MARKER,
                "GATEHOUSE_STORE_PASSWORD_FILE", write(dir, "pw", MARKER).toString(),
                "GATEHOUSE_KEYS_KEK_FILE", write(dir, "kek", MARKER).toString());

        ConfigException e = assertThatExceptionOfType(ConfigException.class)
                .isThrownBy(() -> ConfigLoader.load(yaml, env))
                .actual();

        assertThat(e.problems()).hasSize(7);
        assertThat(e.getMessage()).doesNotContain(MARKER);
        assertThat(e.toString()).doesNotContain(MARKER);
    }

    @Test
    void secretOnALineWithSyntaxError_isNotQuoted() {
        Path yaml = write(dir, "gatehouse.yaml", "keys:\n  kek: \"" + MARKER + "\n  x: : y\n");

        assertThat(problemsOf(yaml, Map.of())).singleElement().asString()
                .contains("invalid YAML at line")
                .doesNotContain(MARKER);
    }

    @Test
    void describe_showsOnlyWhetherSecretsAreSet() {
        GatehouseConfig config = ConfigLoader.load(null, Map.of(
                "GATEHOUSE_STORE_PASSWORD", MARKER,
                "GATEHOUSE_KEYS_HS256_SECRET", HS256));

        List<String> lines = ConfigLoader.describe(config);

        assertThat(lines).contains("store.password = (set)", "keys.hs256Secret = (set)", "keys.kek = (not set)");
        assertThat(String.join("\n", lines)).doesNotContain(MARKER);
        assertThat(config.toString()).doesNotContain(MARKER);
    }

    @Test
    void nonUtf8SecretFile_isReportedWithoutContents() {
        Path file = write(dir, "pw", (MARKER + "\u00e9").getBytes(StandardCharsets.ISO_8859_1));

        assertThat(problemsOf(null, Map.of("GATEHOUSE_STORE_PASSWORD_FILE", file.toString())))
                .containsExactly("GATEHOUSE_STORE_PASSWORD_FILE: cannot read " + file + " (not UTF-8 text)");
    }

    private List<String> loadProblems(String yaml) {
        return problemsOf(write(dir, "gatehouse.yaml", yaml), Map.of());
    }

    @Test
    void passwordsInTheJdbcUrl_areRedactedInDescribeAndProblems() {
        GatehouseConfig config = ConfigLoader.load(null, Map.of("GATEHOUSE_STORE_URL",
                "jdbc:postgresql://gh:hunter2@db:5432/gh?ssl=true&PassWord=s3cret&sslpassword=k3y&user=gh"));

        assertThat(ConfigLoader.describe(config)).contains("store.url = jdbc:postgresql://(redacted)@db:5432/gh"
                + "?ssl=true&PassWord=(redacted)&sslpassword=(redacted)&user=gh");
        assertThat(String.join("\n", ConfigLoader.describe(config))).doesNotContain("hunter2", "s3cret", "k3y");
        assertThat(config.store().jdbcUrl()).as("the pool still gets the real URL").contains("s3cret");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_STORE_URL", "jdbc:mysql://db/gh?password=s3cret")))
                .containsExactly("GATEHOUSE_STORE_URL: jdbc:mysql://db/gh?password=(redacted)"
                        + " (expected: jdbc:sqlite:... or jdbc:postgresql://...)");
    }
}
