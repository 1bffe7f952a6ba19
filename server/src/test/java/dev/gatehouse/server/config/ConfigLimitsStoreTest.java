package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.ConfigTestSupport.problemsOf;
import static dev.gatehouse.server.config.ConfigTestSupport.write;
import static dev.gatehouse.server.config.ConfigTestSupport.yamlProblems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.gateway.limits.LimitsStoreConfig;
import dev.gatehouse.server.gateway.limits.LimitsStoreConfig.OnRedisUnavailable;
import dev.gatehouse.server.gateway.limits.LimitsStoreConfig.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gateway.limits.store, gateway.limits.redis.* and gateway.limits.onRedisUnavailable. */
class ConfigLimitsStoreTest {
    @TempDir
    Path dir;

    @Test
    void defaults_keepTheLimitsInEachReplica_andFailClosed() {
        GatehouseConfig config = ConfigLoader.load(null, Map.of());

        assertThat(config.gatewayLimitsStore()).isEqualTo(LimitsStoreConfig.LOCAL);
        assertThat(config.gatewayLimitsStore().redis().commandTimeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(ConfigLoader.describe(config)).contains("gateway.limits.store = local",
                "gateway.limits.onRedisUnavailable = closed", "gateway.limits.redis.password = (not set)");
    }

    @Test
    void redis_isConfiguredFromTheEnvironment_withThePasswordFromAFile_neverShown() {
        Path password = write(dir, "redis-password", "s3cret-redis\n");

        GatehouseConfig config = ConfigLoader.load(null, Map.of(
                "GATEHOUSE_GATEWAY_LIMITS_STORE", "redis",
                "GATEHOUSE_GATEWAY_LIMITS_REDIS_URL", "redis://10.0.0.5:6380/3",
                "GATEHOUSE_GATEWAY_LIMITS_REDIS_PASSWORD_FILE", password.toString(),
                "GATEHOUSE_GATEWAY_LIMITS_REDIS_COMMAND_TIMEOUT", "50ms",
                "GATEHOUSE_GATEWAY_LIMITS_ON_REDIS_UNAVAILABLE", "local"));

        LimitsStoreConfig store = config.gatewayLimitsStore();
        assertThat(store.store()).isEqualTo(Store.REDIS);
        assertThat(store.onRedisUnavailable()).isEqualTo(OnRedisUnavailable.LOCAL);
        assertThat(store.redis().url()).hasValue("redis://10.0.0.5:6380/3");
        assertThat(store.redis().password().orElseThrow().text()).isEqualTo("s3cret-redis");
        assertThat(store.redis().commandTimeout()).isEqualTo(Duration.ofMillis(50));
        assertThat(String.join("\n", ConfigLoader.describe(config)))
                .contains("gateway.limits.redis.password = (set)")
                .doesNotContain("s3cret-redis");
    }

    @Test
    void badValues_areEachReportedWithTheKey_andAPasswordInTheUrlIsNeverEchoed() {
        assertThat(problemsOf(null, Map.of(
                "GATEHOUSE_GATEWAY_LIMITS_STORE", "memcached",
                "GATEHOUSE_GATEWAY_LIMITS_REDIS_URL", "redis://:hunter2@redis:6379",
                "GATEHOUSE_GATEWAY_LIMITS_REDIS_COMMAND_TIMEOUT", "20s",
                "GATEHOUSE_GATEWAY_LIMITS_REDIS_CONNECT_TIMEOUT", "1ms",
                "GATEHOUSE_GATEWAY_LIMITS_ON_REDIS_UNAVAILABLE", "open")))
                .containsExactlyInAnyOrder(
                        "GATEHOUSE_GATEWAY_LIMITS_STORE: \"memcached\" (expected: local or redis)",
                        "GATEHOUSE_GATEWAY_LIMITS_ON_REDIS_UNAVAILABLE: \"open\" (expected: closed or local)",
                        "GATEHOUSE_GATEWAY_LIMITS_REDIS_URL: \"redis://(redacted)@redis:6379\" (expected:"
                                + " redis://host[:port][/database] or rediss://..., without user or password: those are"
                                + " gateway.limits.redis.username and gateway.limits.redis.password)",
                        "GATEHOUSE_GATEWAY_LIMITS_REDIS_COMMAND_TIMEOUT: 20s (expected: 1ms..10s)",
                        "GATEHOUSE_GATEWAY_LIMITS_REDIS_CONNECT_TIMEOUT: 1ms (expected: 10ms..30s)");
    }

    @Test
    void anHttpUrl_isRefused() {
        assertThat(problemsOf(null, Map.of("GATEHOUSE_GATEWAY_LIMITS_REDIS_URL", "http://redis:6379")))
                .singleElement().asString().startsWith("GATEHOUSE_GATEWAY_LIMITS_REDIS_URL: \"http://redis:6379\"");
    }

    @Test
    void redisWithoutAUrl_isAProblemOfTheUrl() {
        assertThat(yamlProblems(dir, """
                gateway:
                  limits:
                    store: redis
                """))
                .containsExactly("gateway.limits.redis.url: (not set) (expected: set with gateway.limits.store redis:"
                        + " the Redis keeping the per-minute limits)");
    }

    @Test
    void theUrlWithoutAStore_isKeptButUnused() {
        GatehouseConfig config = ConfigLoader.load(null, Map.of("GATEHOUSE_GATEWAY_LIMITS_REDIS_URL", "redis://r"));

        assertThat(config.gatewayLimitsStore().store()).isEqualTo(Store.LOCAL);
        assertThat(config.gatewayLimitsStore().redis().url()).isEqualTo(Optional.of("redis://r"));
    }
}
