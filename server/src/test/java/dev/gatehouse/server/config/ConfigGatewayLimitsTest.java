package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.ConfigTestSupport.problemsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.gatehouse.server.gateway.limits.LimitsConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway.limits.* keys. */
class ConfigGatewayLimitsTest {

    @Test
    void defaults_areUnlimited() {
        GatehouseConfig config = ConfigLoader.load(null, Map.of());

        assertThat(config.gatewayLimits()).isEqualTo(LimitsConfig.UNLIMITED);
        assertThat(config.gatewayLimits().hasLimits()).isFalse();
    }

    @Test
    void everyKey_isReadFromTheEnvironment() {
        GatehouseConfig config = ConfigLoader.load(null, Map.of(
                "GATEHOUSE_GATEWAY_LIMITS_TOKEN_REQUESTS_PER_MINUTE", "60",
                "GATEHOUSE_GATEWAY_LIMITS_TOKEN_TOKENS_PER_MINUTE", "100_000",
                "GATEHOUSE_GATEWAY_LIMITS_ORG_REQUESTS_PER_MINUTE", "600",
                "GATEHOUSE_GATEWAY_LIMITS_ORG_TOKENS_PER_MINUTE", "1000000",
                "GATEHOUSE_GATEWAY_LIMITS_TOKEN_DAILY_TOKEN_BUDGET", "2000000",
                "GATEHOUSE_GATEWAY_LIMITS_ORG_DAILY_TOKEN_BUDGET", "50000000",
                "GATEHOUSE_GATEWAY_LIMITS_TOKEN_TOTAL_TOKEN_BUDGET", "0",
                "GATEHOUSE_GATEWAY_LIMITS_ORG_TOTAL_TOKEN_BUDGET", "10000000000"));

        assertThat(config.gatewayLimits()).isEqualTo(new LimitsConfig(60, 100_000, 600, 1_000_000, 2_000_000,
                50_000_000, 0, 10_000_000_000L));
        assertThat(config.gatewayLimits().hasBudgets()).isTrue();
    }

    @Test
    void negativeOrNonNumericValues_areProblemsNamingTheKey() {
        assertThat(problemsOf(null, Map.of(
                "GATEHOUSE_GATEWAY_LIMITS_TOKEN_REQUESTS_PER_MINUTE", "-1",
                "GATEHOUSE_GATEWAY_LIMITS_ORG_DAILY_TOKEN_BUDGET", "lots")))
                .containsExactlyInAnyOrder(
                        "GATEHOUSE_GATEWAY_LIMITS_TOKEN_REQUESTS_PER_MINUTE: \"-1\" (expected: whole number >= 0 (0 = unlimited))",
                        "GATEHOUSE_GATEWAY_LIMITS_ORG_DAILY_TOKEN_BUDGET: \"lots\" (expected: whole number >= 0 (0 = unlimited))");
        assertThatIllegalArgumentException().isThrownBy(() -> new LimitsConfig(0, 0, 0, 0, 0, -5, 0, 0))
                .withMessage("gateway.limits.orgDailyTokenBudget: -5 (expected: >= 0, 0 = unlimited)");
    }
}
