package dev.gatehouse.server.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.testing.PrometheusScrape;
import dev.gatehouse.server.testing.PrometheusScrape.Sample;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics} of a real Gatehouse names the provider that signs and verifies its tokens. */
class SignatureProviderMetricsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"auto, accp", "accp, accp", "jdk, jdk"})
    void metrics_reportTheChosenProvider(String setting, String provider) {
        try (Gatehouse gatehouse = Gatehouse.start(TestGatehouse.config(dir,
                Map.of("GATEHOUSE_CRYPTO_PROVIDER", setting, "GATEHOUSE_ROLES", "auth")))) {
            List<Sample> samples = PrometheusScrape.parse(PrometheusScrape.fetchText(gatehouse.managementUrl())).samples()
                    .stream()
                    .filter(sample -> sample.name().startsWith("gatehouse_crypto_provider"))
                    .toList();

            String version = provider.equals("jdk") ? Runtime.version().toString() : "2.5.0";
            assertThat(samples).containsExactly(new Sample("gatehouse_crypto_provider_info",
                    Map.of("provider", provider, "version", version), 1.0));
        }
    }
}
