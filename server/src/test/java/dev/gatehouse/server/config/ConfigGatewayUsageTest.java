package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.ConfigTestSupport.problemsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.gatehouse.server.gateway.metering.UsageConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway.usage.* keys. */
class ConfigGatewayUsageTest {

    @Test
    void defaults_batched_spoolingUnderTheDataDirectory() {
        GatehouseConfig config = ConfigLoader.load(null, Map.of("GATEHOUSE_DATA_DIR", "/var/lib/gh"));

        assertThat(config.gatewayUsage()).isEqualTo(new UsageConfig(UsageConfig.Durability.BATCHED,
                UsageConfig.OnStoreUnavailable.SPOOL, Duration.ofMillis(100), Path.of("/var/lib/gh/usage-spool"),
                1L << 30));
    }

    @Test
    void unknownChoicesAndOutOfRangeValues_areProblemsNamingTheKey() {
        assertThat(problemsOf(null, Map.of(
                "GATEHOUSE_GATEWAY_USAGE_DURABILITY", "fast",
                "GATEHOUSE_GATEWAY_USAGE_ON_STORE_UNAVAILABLE", "drop")))
                .containsExactlyInAnyOrder(
                        "GATEHOUSE_GATEWAY_USAGE_DURABILITY: \"fast\" (expected: batched or strict)",
                        "GATEHOUSE_GATEWAY_USAGE_ON_STORE_UNAVAILABLE: \"drop\" (expected: spool or refuse)");
        assertThatIllegalArgumentException().isThrownBy(() -> new UsageConfig(UsageConfig.Durability.BATCHED,
                        UsageConfig.OnStoreUnavailable.SPOOL, Duration.ofSeconds(11), Path.of("s"), 1L << 30))
                .withMessage("gateway.usage.flushInterval: PT11S (expected: 1ms..10s)");
        assertThatIllegalArgumentException().isThrownBy(() -> new UsageConfig(UsageConfig.Durability.BATCHED,
                        UsageConfig.OnStoreUnavailable.SPOOL, Duration.ofSeconds(1), Path.of("s"), 1024))
                .withMessage("gateway.usage.spoolMaxSize: 1024 (expected: >= 1MiB)");
    }
}
