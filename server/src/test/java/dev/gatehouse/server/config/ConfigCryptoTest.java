package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.ConfigTestSupport.loadYaml;
import static dev.gatehouse.server.config.ConfigTestSupport.problemsOf;
import static dev.gatehouse.server.config.ConfigTestSupport.yamlProblems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.crypto.CryptoConfig.ProviderSetting;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The crypto.* keys. */
class ConfigCryptoTest {
    @TempDir
    Path dir;

    @Test
    void provider_defaultsToAuto() {
        assertThat(ConfigLoader.load(null, Map.of()).crypto().provider()).isEqualTo(ProviderSetting.AUTO);
    }

    @Test
    void provider_eachValue_fromYamlAndEnvironment_anyCase() {
        assertThat(loadYaml(dir, "crypto:\n  provider: jdk\n", Map.of()).crypto().provider())
                .isEqualTo(ProviderSetting.JDK);
        assertThat(loadYaml(dir, "crypto:\n  provider: ACCP\n", Map.of()).crypto().provider())
                .isEqualTo(ProviderSetting.ACCP);
        assertThat(ConfigLoader.load(null, Map.of("GATEHOUSE_CRYPTO_PROVIDER", "Auto")).crypto().provider())
                .isEqualTo(ProviderSetting.AUTO);
    }

    @Test
    void provider_isShownByConfigCheck() {
        GatehouseConfig config = ConfigLoader.load(null, Map.of("GATEHOUSE_CRYPTO_PROVIDER", "ACCP"));

        assertThat(ConfigLoader.describe(config)).contains("crypto.provider = accp");
    }

    @Test
    void provider_unknownValue_namesTheKeyAndTheValues() {
        assertThat(yamlProblems(dir, "crypto:\n  provider: bouncycastle\n"))
                .containsExactly("crypto.provider: \"bouncycastle\" (expected: auto, jdk or accp)");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_CRYPTO_PROVIDER", "native")))
                .containsExactly("GATEHOUSE_CRYPTO_PROVIDER: \"native\" (expected: auto, jdk or accp)");
    }

    @Test
    void provider_misspelledKey_suggestsTheKey() {
        assertThat(yamlProblems(dir, "crypto:\n  providr: jdk\n"))
                .containsExactly("crypto.providr: unknown key (did you mean crypto.provider?)");
    }
}
