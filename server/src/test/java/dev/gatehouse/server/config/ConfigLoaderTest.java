package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.ConfigTestSupport.loadYaml;
import static dev.gatehouse.server.config.ConfigTestSupport.problemsOf;
import static dev.gatehouse.server.config.ConfigTestSupport.write;
import static dev.gatehouse.server.config.ConfigTestSupport.yamlProblems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.gatehouse.server.admin.AdminConfig;
import dev.gatehouse.server.crypto.CryptoConfig;
import dev.gatehouse.server.gateway.metering.UsageConfig;
import dev.gatehouse.server.http.HttpConfig;
import dev.gatehouse.server.logging.LoggingConfig;
import dev.gatehouse.server.sandbox.SandboxConfig;
import dev.gatehouse.server.sandbox.KubernetesSandboxConfig;
import dev.gatehouse.server.secrets.Secret;
import dev.gatehouse.server.tokens.SigningAlgorithm;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void noFileNoEnv_everyKeyAtItsDefault() {
        GatehouseConfig config = ConfigLoader.load(null, Map.of());

        Path dataDir = Path.of("data").toAbsolutePath();
        assertThat(config.production()).isFalse();
        assertThat(config.dataDir()).isEqualTo(dataDir);
        assertThat(config.roles()).isEqualTo(EnumSet.allOf(Role.class));
        assertThat(config.http().host()).isEqualTo("127.0.0.1");
        assertThat(config.http().port()).isEqualTo(8080);
        assertThat(config.http().managementPort()).isEqualTo(9464);
        assertThat(config.http().publicUrl()).isEqualTo(URI.create("http://127.0.0.1:8080"));
        assertThat(config.http().maxBodyBytes()).isEqualTo(1_048_576L);
        assertThat(config.http().shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.store().jdbcUrl()).isEqualTo("jdbc:sqlite:" + dataDir.resolve("gatehouse.db"));
        assertThat(config.store().username()).isEmpty();
        assertThat(config.store().password()).isEmpty();
        assertThat(config.store().schema()).isEmpty();
        assertThat(config.store().maxPoolSize()).isEqualTo(10);
        assertThat(config.keys().algorithm()).isEqualTo(SigningAlgorithm.ES256);
        assertThat(config.keys().keyEncryptionKey()).isEmpty();
        assertThat(config.keys().generatedKekFile()).isEqualTo(dataDir.resolve("kek"));
        assertThat(config.keys().hs256Secret()).isEmpty();
        assertThat(config.keys().refreshInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.tokens().issuer()).isEqualTo(URI.create("http://127.0.0.1:8080"));
        assertThat(config.tokens().maxTokenTtl()).isEqualTo(Duration.ofDays(90));
        assertThat(config.tokens().clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.logging().format()).isEqualTo(LoggingConfig.Format.TEXT);
        assertThat(config.logging().level()).isEqualTo("INFO");
        assertThat(config.logging().gatewayAccess()).isEqualTo(LoggingConfig.GatewayAccess.FAILURES);
    }

    @Test
    void emptyFile_isAllDefaults() {
        assertThat(loadYaml(dir, "# nothing set\n", Map.of())).isEqualTo(ConfigLoader.load(null, Map.of()));
    }

    @Test
    void fileSetsValues_environmentWinsOverFile() {
        String yaml = """
                server:
                  port: 9000
                  maxBodyBytes: 512KiB
                store:
                  maxPoolSize: 5
                logging:
                  level: debug
                """;
        Map<String, String> env = Map.of("GATEHOUSE_SERVER_PORT", "9100", "GATEHOUSE_STORE_MAX_POOL_SIZE", "7");

        GatehouseConfig config = loadYaml(dir, yaml, env);

        assertThat(config.http().port()).isEqualTo(9100);
        assertThat(config.store().maxPoolSize()).isEqualTo(7);
        assertThat(config.http().maxBodyBytes()).isEqualTo(512 * 1024L);
        assertThat(config.logging().level()).isEqualTo("DEBUG");
    }

    @Test
    void everyKeyHasAnEnvironmentVariable() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GATEHOUSE_PRODUCTION", "false");
        env.put("GATEHOUSE_DATA_DIR", dir.toString());
        env.put("GATEHOUSE_ROLES", "gateway, auth");
        env.put("GATEHOUSE_SERVER_HOST", "0.0.0.0");
        env.put("GATEHOUSE_SERVER_PORT", "0");
        env.put("GATEHOUSE_SERVER_MANAGEMENT_PORT", "9100");
        env.put("GATEHOUSE_SERVER_PUBLIC_URL", "https://gh.example.com");
        env.put("GATEHOUSE_SERVER_MAX_BODY_BYTES", "10MB");
        env.put("GATEHOUSE_SERVER_SHUTDOWN_TIMEOUT", "250ms");
        env.put("GATEHOUSE_SERVER_EVENT_LOOPS", "3");
        env.put("GATEHOUSE_STORE_URL", "jdbc:postgresql://db:5432/gh");
        env.put("GATEHOUSE_STORE_USERNAME", "gh");
        env.put("GATEHOUSE_STORE_PASSWORD", "pw");
        env.put("GATEHOUSE_STORE_SCHEMA", "gatehouse");
        env.put("GATEHOUSE_STORE_MAX_POOL_SIZE", "50");
        env.put("GATEHOUSE_KEYS_ALGORITHM", "EdDSA");
        env.put("GATEHOUSE_KEYS_KEK", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        env.put("GATEHOUSE_KEYS_HS256_SECRET", "0123456789abcdef0123456789abcdef");
        env.put("GATEHOUSE_KEYS_REFRESH_INTERVAL", "PT1M");
        env.put("GATEHOUSE_TOKENS_ISSUER", "https://issuer.example.com");
        env.put("GATEHOUSE_TOKENS_MAX_TTL", "7d");
        env.put("GATEHOUSE_TOKENS_CLOCK_SKEW", "5m");
        env.put("GATEHOUSE_CRYPTO_PROVIDER", "jdk");
        env.put("GATEHOUSE_LOGGING_FORMAT", "json");
        env.put("GATEHOUSE_LOGGING_LEVEL", "WARN");
        env.put("GATEHOUSE_LOGGING_GATEWAY_ACCESS", "all");
        env.put("GATEHOUSE_IDENTITY_TOPOLOGY", "shared-sovereign");
        env.put("GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", "https://sso.example.com/realms/acme");
        env.put("GATEHOUSE_IDENTITY_KEYCLOAK_AUDIENCE", "gatehouse");
        env.put("GATEHOUSE_IDENTITY_ROLE_CAPABILITIES", "gatehouse-user=pat:create");
        env.put("GATEHOUSE_IDENTITY_KEYCLOAK_JWKS_REFRESH_MIN_INTERVAL", "10s");
        env.put("GATEHOUSE_IDENTITY_LOCAL", "false");
        env.put("GATEHOUSE_IDENTITY_KEYCLOAK_ORGANIZATIONS", "https://sso.example.com/realms/acme=acme");
        env.put("GATEHOUSE_PAT_DEFAULT_TTL", "1d");
        env.put("GATEHOUSE_PAT_MAX_TTL", "7d");
        env.put("GATEHOUSE_PAT_AUDIENCES", "gateway,sandbox");
        env.put("GATEHOUSE_PAT_REVOCATION_POLL_INTERVAL", "1s");
        env.put("GATEHOUSE_PAT_LAST_USED_FLUSH_INTERVAL", "1m");
        env.put("GATEHOUSE_PAT_MAX_ACTIVE_PER_USER", "5");
        env.put("GATEHOUSE_ADMIN_SECRET", "0123456789abcdef0123456789abcdef");
        env.put("GATEHOUSE_GATEWAY_CHANNELS",
                "[{\"name\":\"q\",\"provider\":\"qwen\",\"baseUrl\":\"http://q/v1\",\"models\":[\"m\"]}]");
        env.put("GATEHOUSE_GATEWAY_DEFAULT_PROVIDER", "qwen");
        env.put("GATEHOUSE_GATEWAY_LIMITS_TOKEN_REQUESTS_PER_MINUTE", "60");
        env.put("GATEHOUSE_GATEWAY_LIMITS_TOKEN_TOKENS_PER_MINUTE", "100000");
        env.put("GATEHOUSE_GATEWAY_LIMITS_ORG_REQUESTS_PER_MINUTE", "600");
        env.put("GATEHOUSE_GATEWAY_LIMITS_ORG_TOKENS_PER_MINUTE", "1000000");
        env.put("GATEHOUSE_GATEWAY_LIMITS_TOKEN_DAILY_TOKEN_BUDGET", "2000000");
        env.put("GATEHOUSE_GATEWAY_LIMITS_ORG_DAILY_TOKEN_BUDGET", "20000000");
        env.put("GATEHOUSE_GATEWAY_LIMITS_TOKEN_TOTAL_TOKEN_BUDGET", "5000000");
        env.put("GATEHOUSE_GATEWAY_LIMITS_ORG_TOTAL_TOKEN_BUDGET", "50000000");
        env.put("GATEHOUSE_GATEWAY_LIMITS_BUDGETS", "[{\"scope\":\"user\",\"period\":\"monthly\",\"tokens\":900000}]");
        env.put("GATEHOUSE_GATEWAY_LIMITS_DEFAULT_RESERVATION", "8192");
        env.put("GATEHOUSE_GATEWAY_CURRENCY", "eur");
        env.put("GATEHOUSE_GATEWAY_LIMITS_STORE", "redis");
        env.put("GATEHOUSE_GATEWAY_LIMITS_REDIS_URL", "rediss://redis.example.com:6380/2");
        env.put("GATEHOUSE_GATEWAY_LIMITS_REDIS_USERNAME", "gatehouse");
        env.put("GATEHOUSE_GATEWAY_LIMITS_REDIS_PASSWORD", "redis-pw");
        env.put("GATEHOUSE_GATEWAY_LIMITS_REDIS_KEY_PREFIX", "gh:prod:");
        env.put("GATEHOUSE_GATEWAY_LIMITS_REDIS_CONNECT_TIMEOUT", "500ms");
        env.put("GATEHOUSE_GATEWAY_LIMITS_REDIS_COMMAND_TIMEOUT", "100ms");
        env.put("GATEHOUSE_GATEWAY_LIMITS_ON_REDIS_UNAVAILABLE", "local");
        env.put("GATEHOUSE_GATEWAY_USAGE_DURABILITY", "strict");
        env.put("GATEHOUSE_GATEWAY_USAGE_ON_STORE_UNAVAILABLE", "refuse");
        env.put("GATEHOUSE_GATEWAY_USAGE_FLUSH_INTERVAL", "250ms");
        env.put("GATEHOUSE_GATEWAY_USAGE_SPOOL_DIR", dir.resolve("spool").toString());
        env.put("GATEHOUSE_GATEWAY_USAGE_SPOOL_MAX_SIZE", "2GiB");
        env.put("GATEHOUSE_GATEWAY_ACCEPT_SESSIONS", "true");
        env.put("GATEHOUSE_GATEWAY_CONNECT_TIMEOUT", "2s");
        env.put("GATEHOUSE_GATEWAY_FIRST_BYTE_TIMEOUT", "30s");
        env.put("GATEHOUSE_GATEWAY_IDLE_TIMEOUT", "45s");
        env.put("GATEHOUSE_GATEWAY_MAX_REQUEST_BYTES", "8MiB");
        env.put("GATEHOUSE_GATEWAY_CHANNEL_FAILURE_THRESHOLD", "7");
        env.put("GATEHOUSE_GATEWAY_CHANNEL_FAILURE_WINDOW", "1m");
        env.put("GATEHOUSE_GATEWAY_CHANNEL_PROBE_INTERVAL", "5s");
        env.put("GATEHOUSE_GATEWAY_MAX_CONNECTIONS_PER_CHANNEL", "1024");
        env.put("GATEHOUSE_GATEWAY_MAX_WAITING_PER_CHANNEL", "16");
        env.put("GATEHOUSE_ADMIN_SERVICE_ACCOUNTS_ISSUERS", "https://sso.example.com/realms/ops");
        env.put("GATEHOUSE_ADMIN_SERVICE_ACCOUNTS_MINTER_ROLE", "portal/minter");
        env.put("GATEHOUSE_ADMIN_SERVICE_ACCOUNTS_ADMIN_ROLE", "ops-admin");
        env.put("GATEHOUSE_ADMIN_SERVICE_ACCOUNTS_ACTING_USER_HEADER", "X-Backstage-User");
        env.put("GATEHOUSE_PAT_BRIDGE_AUDIENCE", "sandbox");
        env.put("GATEHOUSE_SANDBOX_BACKEND", "kubernetes");
        env.put("GATEHOUSE_SANDBOX_GATEWAY_URL", "http://gatehouse.gatehouse.svc:8080/v1");
        env.put("GATEHOUSE_SANDBOX_PROFILES", "[{\"name\":\"coding\",\"channels\":[\"q\"],\"image\":\"r@sha256:1\"}]");
        env.put("GATEHOUSE_SANDBOX_MAX_PER_USER", "2");
        env.put("GATEHOUSE_SANDBOX_MAX_PER_ORGANIZATION", "40");
        env.put("GATEHOUSE_SANDBOX_START_TIMEOUT", "5m");
        env.put("GATEHOUSE_SANDBOX_IDLE_TIMEOUT", "1h");
        env.put("GATEHOUSE_SANDBOX_MAX_LIFETIME", "1d");
        env.put("GATEHOUSE_SANDBOX_TOKEN_ROTATE_BEFORE", "2d");
        env.put("GATEHOUSE_SANDBOX_REAP_INTERVAL", "1m");
        env.put("GATEHOUSE_SANDBOX_GC_INTERVAL", "10m");
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_NAMESPACE", "sandboxes");
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_IMAGE", "ghcr.io/x/runtime@sha256:2");
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_GATEWAY_NAMESPACE", "gatehouse");
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_GATEWAY_POD_LABELS", "app.kubernetes.io/name=gatehouse");
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_GATEWAY_CIDR", "");
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_GATEWAY_PORT", "8443");
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_GATEHOUSE_NAMESPACE", "gatehouse");
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_GATEHOUSE_POD_LABELS", "app=gatehouse;tier=edge");
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_DNS_NAMESPACE", "dns");
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_DNS_POD_LABELS", "app=coredns");
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_RUN_AS_USER", "1000");
        env.put("GATEHOUSE_BYOS_PROVIDERS", "[{\"name\":\"demo\",\"sandboxVariable\":\"DEMO_API_KEY\"}]");
        env.put("GATEHOUSE_BYOS_CONSOLE_URL", "https://console.example.com/app");
        env.put("GATEHOUSE_BYOS_STATE_TTL", "5m");
        env.put("GATEHOUSE_BYOS_REFRESH_BEFORE", "10m");
        env.put("GATEHOUSE_BYOS_REFRESH_INTERVAL", "30s");
        env.put("GATEHOUSE_CONSOLE_SESSION_TTL", "4h");
        env.put("GATEHOUSE_GATEWAY_DEV_CHANNEL", "false");
        env.put("GATEHOUSE_CONSOLE_IDLE_TIMEOUT", "20m");
        env.put("GATEHOUSE_CONSOLE_KEYCLOAK_CLIENT_ID", "gatehouse-console");
        env.put("GATEHOUSE_CONSOLE_KEYCLOAK_CLIENT_SECRET", "console-secret");
        assertThat(env).hasSameSizeAs(ConfigKeys.ALL);

        GatehouseConfig config = ConfigLoader.load(null, env);

        assertThat(config.dataDir()).isEqualTo(dir);
        assertThat(config.http().managementPort()).isEqualTo(9100);
        assertThat(config.console().sessionTtl()).isEqualTo(Duration.ofHours(4));
        assertThat(config.console().idleTimeout()).isEqualTo(Duration.ofMinutes(20));
        assertThat(config.console().keycloakClientId()).isEqualTo("gatehouse-console");
        assertThat(config.console().keycloakClientSecret().orElseThrow().text()).isEqualTo("console-secret");
        assertThat(config.gatewayUsage()).isEqualTo(new UsageConfig(UsageConfig.Durability.STRICT,
                UsageConfig.OnStoreUnavailable.REFUSE, Duration.ofMillis(250), dir.resolve("spool"), 2L << 30));
        assertThat(config.pat().bridgeAudience()).isEqualTo("sandbox");
        assertThat(config.sandbox().backend()).isEqualTo(SandboxConfig.Backend.KUBERNETES);
        assertThat(config.sandbox().gatewayUrl()).isEqualTo(URI.create("http://gatehouse.gatehouse.svc:8080/v1"));
        assertThat(config.sandbox().profileNames()).containsExactly("default", "coding");
        assertThat(config.sandbox().profile("coding").orElseThrow().channels()).containsExactly("q");
        assertThat(config.sandbox().maxPerUser()).isEqualTo(2);
        assertThat(config.sandbox().maxPerOrganization()).isEqualTo(40);
        assertThat(config.sandbox().startTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.sandbox().idleTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(config.sandbox().maxLifetime()).isEqualTo(Duration.ofDays(1));
        assertThat(config.sandbox().tokenRotateBefore()).isEqualTo(Duration.ofDays(2));
        assertThat(config.sandbox().reapInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.sandbox().gcInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.byos().provider("demo").orElseThrow().sandboxVariable()).isEqualTo("DEMO_API_KEY");
        assertThat(config.byos().consoleUrl()).contains(URI.create("https://console.example.com/app"));
        assertThat(config.byos().stateTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.byos().refreshBefore()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.byos().refreshInterval()).isEqualTo(Duration.ofSeconds(30));
        KubernetesSandboxConfig kubernetes = config.sandbox().kubernetes();
        assertThat(kubernetes.namespace()).contains("sandboxes");
        assertThat(kubernetes.image()).contains("ghcr.io/x/runtime@sha256:2");
        assertThat(kubernetes.gatewayNamespace()).contains("gatehouse");
        assertThat(kubernetes.gatewayPodLabels()).containsExactly(Map.entry("app.kubernetes.io/name", "gatehouse"));
        assertThat(kubernetes.gatewayCidr()).isEmpty();
        assertThat(kubernetes.gatewayPort()).isEqualTo(8443);
        assertThat(kubernetes.gatehouseNamespace()).contains("gatehouse");
        assertThat(kubernetes.gatehousePodLabels()).containsExactly(Map.entry("app", "gatehouse"),
                Map.entry("tier", "edge"));
        assertThat(kubernetes.dnsNamespace()).isEqualTo("dns");
        assertThat(kubernetes.dnsPodLabels()).containsExactly(Map.entry("app", "coredns"));
        assertThat(kubernetes.runAsUser()).isEqualTo(1000);
        assertThat(config.gateway().channels()).singleElement().satisfies(c -> assertThat(c.name()).isEqualTo("q"));
        assertThat(config.gateway().defaultProvider()).contains("qwen");
        assertThat(config.gateway().acceptSessions()).isTrue();
        assertThat(config.gateway().idleTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.gateway().maxRequestBytes()).isEqualTo(8L * 1024 * 1024);
        assertThat(config.gateway().channelFailureThreshold()).isEqualTo(7);
        assertThat(config.gateway().channelProbeInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.gateway().maxConnectionsPerChannel()).isEqualTo(1024);
        assertThat(config.gateway().maxWaitingPerChannel()).isEqualTo(16);
        assertThat(config.roles()).containsExactlyInAnyOrder(Role.GATEWAY, Role.AUTH);
        assertThat(config.http().host()).isEqualTo("0.0.0.0");
        assertThat(config.http().port()).isZero();
        assertThat(config.http().publicUrl()).isEqualTo(URI.create("https://gh.example.com"));
        assertThat(config.http().maxBodyBytes()).isEqualTo(10_000_000L);
        assertThat(config.http().shutdownTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.http().eventLoops()).isEqualTo(3);
        assertThat(config.store().jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/gh");
        assertThat(config.store().username()).contains("gh");
        assertThat(config.store().password()).contains(Secret.of("pw"));
        assertThat(config.store().schema()).contains("gatehouse");
        assertThat(config.store().maxPoolSize()).isEqualTo(50);
        assertThat(config.keys().algorithm()).isEqualTo(SigningAlgorithm.EdDSA);
        assertThat(config.keys().keyEncryptionKey()).contains(Secret.ofBytes(new byte[32]));
        assertThat(config.keys().hs256Secret()).contains(Secret.of("0123456789abcdef0123456789abcdef"));
        assertThat(config.keys().refreshInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.tokens().issuer()).isEqualTo(URI.create("https://issuer.example.com"));
        assertThat(config.tokens().maxTokenTtl()).isEqualTo(Duration.ofDays(7));
        assertThat(config.tokens().clockSkew()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.crypto().provider()).isEqualTo(CryptoConfig.ProviderSetting.JDK);
        assertThat(config.logging().format()).isEqualTo(LoggingConfig.Format.JSON);
        assertThat(config.logging().level()).isEqualTo("WARN");
        assertThat(config.logging().gatewayAccess()).isEqualTo(LoggingConfig.GatewayAccess.ALL);
        assertThat(config.admin().serviceAccounts()).isEqualTo(new AdminConfig.ServiceAccounts(
                List.of(URI.create("https://sso.example.com/realms/ops")), "portal/minter", "ops-admin",
                "X-Backstage-User"));
    }

    @Test
    void adminServiceAccounts_defaultToTheKeycloakIssuers_andAnEmptyListAcceptsNone() {
        GatehouseConfig defaults = loadYaml(dir, """
                identity:
                  keycloak:
                    issuers: [https://sso.example.com/realms/acme]
                """, Map.of());
        GatehouseConfig none = loadYaml(dir, """
                identity:
                  keycloak:
                    issuers: [https://sso.example.com/realms/acme]
                admin:
                  serviceAccounts:
                    issuers: []
                """, Map.of());

        assertThat(defaults.admin().serviceAccounts()).isEqualTo(new AdminConfig.ServiceAccounts(
                List.of(URI.create("https://sso.example.com/realms/acme")), "sandbox-token-minter", "gatehouse-admin",
                "X-Gatehouse-User"));
        assertThat(defaults.admin().enabled()).isTrue();
        assertThat(none.admin().serviceAccounts().issuers()).isEmpty();
        assertThat(none.admin().enabled()).isFalse();
    }

    @Test
    void adminServiceAccounts_badRoleOrHeader_isNamed() {
        ConfigException role = assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> ConfigLoader.load(null,
                Map.of("GATEHOUSE_DATA_DIR", dir.toString(),
                        "GATEHOUSE_ADMIN_SERVICE_ACCOUNTS_ADMIN_ROLE", "gatehouse admin"))).actual();
        ConfigException header = assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> ConfigLoader.load(null,
                Map.of("GATEHOUSE_DATA_DIR", dir.toString(),
                        "GATEHOUSE_ADMIN_SERVICE_ACCOUNTS_ACTING_USER_HEADER", "X User"))).actual();

        assertThat(String.join("\n", role.problems())).isEqualTo("GATEHOUSE_ADMIN_SERVICE_ACCOUNTS_ADMIN_ROLE:"
                + " \"gatehouse admin\" (expected: a realm role or clientId/role, without whitespace, ';', '=' or ',')");
        assertThat(String.join("\n", header.problems()))
                .startsWith("GATEHOUSE_ADMIN_SERVICE_ACCOUNTS_ACTING_USER_HEADER: \"X User\" (expected: an HTTP header name");
    }

    @Test
    void emptyEnvironmentVariable_countsAsUnset() {
        write(dir, "gatehouse.yaml", "server:\n  port: 9000\n");

        GatehouseConfig config = ConfigLoader.load(dir.resolve("gatehouse.yaml"), Map.of("GATEHOUSE_SERVER_PORT", ""));

        assertThat(config.http().port()).isEqualTo(9000);
    }

    @Test
    void derivedDefaults_followTheKeysTheyDeriveFrom() {
        GatehouseConfig config = loadYaml(dir, """
                dataDir: %s
                server:
                  host: ::1
                  port: 9443
                """.formatted(dir), Map.of());

        assertThat(config.http().publicUrl()).isEqualTo(URI.create("http://[::1]:9443"));
        assertThat(config.tokens().issuer()).isEqualTo(config.http().publicUrl());
        assertThat(config.store().jdbcUrl()).isEqualTo("jdbc:sqlite:" + dir.resolve("gatehouse.db"));
        assertThat(config.keys().generatedKekFile()).isEqualTo(dir.resolve("kek"));
    }

    @Test
    void relativeDataDir_resolvesAgainstTheWorkingDirectory() {
        GatehouseConfig config = ConfigLoader.load(null, Map.of("GATEHOUSE_DATA_DIR", "state/../var"));

        assertThat(config.dataDir()).isEqualTo(Path.of("").toAbsolutePath().resolve("var"));
    }

    @Test
    void roles_fromYamlListOrCommaSeparatedText() {
        assertThat(loadYaml(dir, "roles: [gateway, sandbox]\n", Map.of()).roles())
                .containsExactlyInAnyOrder(Role.GATEWAY, Role.SANDBOX);
        assertThat(loadYaml(dir, "roles: byos\n", Map.of()).roles()).containsExactly(Role.BYOS);
        assertThat(ConfigLoader.load(null, Map.of("GATEHOUSE_ROLES", "auth,byos")).roles())
                .containsExactlyInAnyOrder(Role.AUTH, Role.BYOS);
    }

    @Test
    void yamlScalars_keepTheTextAsWritten() {
        GatehouseConfig config = loadYaml(dir, "store:\n  username: 0755\n  schema: 1e3\n", Map.of());

        assertThat(config.store().username()).contains("0755");
        assertThat(config.store().schema()).contains("1e3");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            server.port: abc            | server.port: "abc" (expected: integer 0..65535)
            server.port: 70000          | server.port: 70000 (expected: 0..65535)
            server.port: [1, 2]         | server.port: a list (expected: integer 0..65535)
            server.port: {a: 1}         | server.port: a mapping (expected: integer 0..65535)
            production: maybe           | production: "maybe" (expected: true or false)
            roles: [auth, nope]         | roles: "auth,nope" (expected: comma-separated list of auth, gateway, sandbox, byos)
            roles: []                   | roles: [] (expected: at least one of auth, gateway, sandbox, byos)
            dataDir: "a\\0b"            | dataDir: "a\\u0000b" (expected: file system path)
            server.host: 'a b'          | server.host: "a b" (expected: host name or IP address)
            server.publicUrl: ftp://x   | server.publicUrl: "ftp://x" (expected: absolute http or https URL)
            server.publicUrl: /relative | server.publicUrl: "/relative" (expected: absolute http or https URL)
            server.maxBodyBytes: 10     | server.maxBodyBytes: 10 (expected: >= 1024)
            server.maxBodyBytes: 1XB    | server.maxBodyBytes: "1XB" (expected: size in bytes, e.g. 1048576, 512KiB, 1MiB or 10MB)
            server.shutdownTimeout: 30  | server.shutdownTimeout: "30" (expected: duration with a unit (ms, s, m, h or d, e.g. 30s) or ISO-8601 (e.g. PT30S))
            server.shutdownTimeout: PT-1S | server.shutdownTimeout: PT-1S (expected: >= 0)
            store.url: jdbc:mysql://x   | store.url: jdbc:mysql://x (expected: jdbc:sqlite:... or jdbc:postgresql://...)
            store.maxPoolSize: 0        | store.maxPoolSize: 0 (expected: 1..200)
            store.maxPoolSize: many     | store.maxPoolSize: "many" (expected: integer 1..200)
            keys.algorithm: RS256       | keys.algorithm: "RS256" (expected: ES256 or EdDSA)
            keys.refreshInterval: 0s    | keys.refreshInterval: PT0S (expected: > 0)
            tokens.issuer: not a url    | tokens.issuer: "not a url" (expected: absolute http or https URL)
            tokens.maxTtl: 5            | tokens.maxTtl: "5" (expected: duration with a unit (ms, s, m, h or d, e.g. 30s) or ISO-8601 (e.g. PT30S))
            tokens.clockSkew: 10m       | tokens.clockSkew: PT10M (expected: 0..PT5M)
            logging.format: xml         | logging.format: "xml" (expected: text or json)
            logging.level: loud         | logging.level: LOUD (expected: TRACE, DEBUG, INFO, WARN or ERROR)
            logging.gatewayAccess: some | logging.gatewayAccess: "some" (expected: all, failures or none)
            server: 5                   | server: "5" (expected: a mapping of server.* keys)
            """)
    void wrongValue_isReportedWithKeyAndExpectedForm(String setting, String expected) {
        assertThat(yamlProblems(dir, nested(setting))).containsExactly(expected);
    }

    @Test
    void wrongValueFromEnvironment_namesTheVariable() {
        assertThat(problemsOf(null, Map.of("GATEHOUSE_SERVER_PORT", "abc")))
                .containsExactly("GATEHOUSE_SERVER_PORT: \"abc\" (expected: integer 0..65535)");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_SERVER_PORT", "70000")))
                .containsExactly("GATEHOUSE_SERVER_PORT: 70000 (expected: 0..65535)");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_SERVER_EVENT_LOOPS", "257")))
                .containsExactly("GATEHOUSE_SERVER_EVENT_LOOPS: 257 (expected: 0..256)");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_SERVER_MANAGEMENT_PORT", "65536")))
                .containsExactly("GATEHOUSE_SERVER_MANAGEMENT_PORT: 65536 (expected: 0..65535)");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_SERVER_MANAGEMENT_PORT", "-1")))
                .containsExactly("GATEHOUSE_SERVER_MANAGEMENT_PORT: -1 (expected: 0..65535)");
    }

    @Test
    void managementPort_isNeverTheApiPort_unlessBothArePickedFree() {
        assertThat(problemsOf(null, Map.of("GATEHOUSE_SERVER_PORT", "9000", "GATEHOUSE_SERVER_MANAGEMENT_PORT", "9000")))
                .containsExactly("GATEHOUSE_SERVER_MANAGEMENT_PORT: 9000 (expected: not server.port, 9000:"
                        + " /metrics stays off the API port)");
        assertThat(yamlProblems(dir, """
                server:
                  port: 9464
                """)).as("the API port moved onto the default management port")
                .containsExactly("server.managementPort: 9464 (expected: not server.port, 9464:"
                        + " /metrics stays off the API port)");

        assertThat(ConfigLoader.load(null, Map.of("GATEHOUSE_SERVER_PORT", "0", "GATEHOUSE_SERVER_MANAGEMENT_PORT", "0"))
                .http()).extracting(HttpConfig::port, HttpConfig::managementPort).containsExactly(0, 0);
    }

    @Test
    void unknownYamlKey_isRefusedWithSuggestion() {
        assertThat(yamlProblems(dir, """
                store:
                  maxPoolSiz: 5
                server:
                  issuer: https://x
                  maxbodybytes: 2MiB
                keys:
                  kekFiel: /run/kek
                flux: capacitor
                """)).containsExactly(
                "store.maxPoolSiz: unknown key (did you mean store.maxPoolSize?)",
                "server.issuer: unknown key (did you mean tokens.issuer?)",
                "server.maxbodybytes: unknown key (did you mean server.maxBodyBytes?)",
                "keys.kekFiel: unknown key (did you mean keys.kekFile?)",
                "flux: unknown key");
    }

    @Test
    void unknownGatehouseVariable_isRefusedWithSuggestion_reservedAndForeignOnesAreNot() {
        Map<String, String> env = Map.of(
                "GATEHOUSE_SERVER_PROT", "9000",
                "GATEHOUSE_KEYS_KEK_FIEL", "/run/kek",
                "GATEHOUSE_CONFIG", "/etc/gatehouse.yaml",
                "GATEHOUSE_JAVA_OPTS", "-Xmx1g",
                "GATEHOUSE_JAVA_HOME", "/usr/lib/jvm/x",
                "GATEHOUSE_TEST_PG_HOST", "127.0.0.1",
                "PATH", "/usr/bin",
                "NEWAPI_SESSION_SECRET", "not ours");

        assertThat(problemsOf(null, env)).containsExactly(
                "GATEHOUSE_KEYS_KEK_FIEL: unknown variable (did you mean GATEHOUSE_KEYS_KEK_FILE?)",
                "GATEHOUSE_SERVER_PROT: unknown variable (did you mean GATEHOUSE_SERVER_PORT?)");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Path file = write(dir, "gatehouse.yaml", """
                server:
                  port: 70000
                  maxBodyBytes: 10
                  shutdownTimeout: 30
                store:
                  maxPoolSiz: 5
                """);

        ConfigException e = assertThatExceptionOfType(ConfigException.class)
                .isThrownBy(() -> ConfigLoader.load(file, Map.of("GATEHOUSE_LOGGING_FORMAT", "xml")))
                .actual();

        List<String> expected = List.of(
                "store.maxPoolSiz: unknown key (did you mean store.maxPoolSize?)",
                "server.shutdownTimeout: \"30\" (expected: duration with a unit (ms, s, m, h or d, e.g. 30s)"
                        + " or ISO-8601 (e.g. PT30S))",
                "GATEHOUSE_LOGGING_FORMAT: \"xml\" (expected: text or json)",
                "server.port: 70000 (expected: 0..65535)",
                "server.maxBodyBytes: 10 (expected: >= 1024)");
        assertThat(e.problems()).containsExactlyElementsOf(expected);
        assertThat(e.getMessage()).startsWith("invalid configuration (5 problems):\n");
        expected.forEach(problem -> assertThat(e.getMessage()).contains("\n  " + problem));
    }

    @Test
    void malformedYaml_isOneProblemWithLineAndColumn() {
        Path file = write(dir, "gatehouse.yaml", "server:\n  port: 8080\n   host: x\n");

        assertThat(problemsOf(file, Map.of()))
                .containsExactly(file + ": invalid YAML at line 3, column 8: mapping values are not allowed here");
    }

    @Test
    void unterminatedQuote_namesWhereItStarted() {
        Path file = write(dir, "gatehouse.yaml", "logging:\n  level: \"INFO\n");

        assertThat(problemsOf(file, Map.of())).containsExactly(file + ": invalid YAML at line 3, column 1:"
                + " found unexpected end of stream (while scanning a quoted scalar at line 2, column 10)");
    }

    @Test
    void duplicateKey_isRefused() {
        Path file = write(dir, "gatehouse.yaml", "server:\n  port: 1\n  port: 2\n");

        assertThat(problemsOf(file, Map.of())).singleElement().asString()
                .startsWith(file + ": invalid YAML at line 3").contains("Duplicate field 'port'");
    }

    @Test
    void topLevelMustBeOneMapping() {
        Path list = write(dir, "list.yaml", "- server\n");
        Path two = write(dir, "two.yaml", "production: false\n---\nproduction: true\n");
        Path alias = write(dir, "alias.yaml", "server:\n  host: &h 0.0.0.0\nstore:\n  schema: *h\n");

        assertThat(problemsOf(list, Map.of())).containsExactly(list + ": expected a mapping of keys at the top level");
        assertThat(problemsOf(two, Map.of())).containsExactly(two + ": expected one YAML document, found more");
        assertThat(problemsOf(alias, Map.of())).singleElement().asString()
                .startsWith(alias + ": invalid YAML at line 4").endsWith("aliases (*name) are not supported");
    }

    @Test
    void missingFile_isAProblem() {
        Path missing = dir.resolve("nope.yaml");

        assertThat(problemsOf(missing, Map.of())).containsExactly(missing + ": cannot read (no such file)");
    }

    @Test
    void describe_listsEveryKeySorted() {
        List<String> lines = ConfigLoader.describe(ConfigLoader.load(null, Map.of("GATEHOUSE_DATA_DIR", dir.toString())));

        assertThat(lines).hasSameSizeAs(ConfigKeys.ALL).isSorted().contains(
                "dataDir = " + dir,
                "keys.kek = (not set)",
                "roles = auth,gateway,sandbox,byos",
                "server.maxBodyBytes = 1MiB",
                "server.port = 8080",
                "store.schema = (not set)",
                "tokens.maxTtl = 90d");
    }

    @Test
    void describedValues_loadBackToTheSameConfiguration() {
        GatehouseConfig original = ConfigLoader.load(null, Map.of(
                "GATEHOUSE_DATA_DIR", dir.toString(),
                "GATEHOUSE_ROLES", "sandbox,gateway",
                "GATEHOUSE_SERVER_MAX_BODY_BYTES", "1500",
                "GATEHOUSE_SERVER_SHUTDOWN_TIMEOUT", "PT1.5S",
                "GATEHOUSE_STORE_SCHEMA", "gh",
                "GATEHOUSE_TOKENS_MAX_TTL", "36h",
                "GATEHOUSE_LOGGING_FORMAT", "json"));
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : ConfigLoader.describe(original)) {
            String[] keyAndValue = line.split(" = ", 2);
            if (!keyAndValue[1].equals("(not set)")) {
                ConfigKey<?> key = ConfigKeys.ALL.stream()
                        .filter(candidate -> candidate.path().equals(keyAndValue[0]))
                        .findFirst()
                        .orElseThrow();
                env.put(key.envName(), keyAndValue[1]);
            }
        }

        assertThat(ConfigLoader.load(null, env)).isEqualTo(original);
    }

    @Test
    void envNames_areUpperSnakeCaseOfThePath() {
        assertThat(ConfigKeys.SERVER_MAX_BODY_BYTES.envName()).isEqualTo("GATEHOUSE_SERVER_MAX_BODY_BYTES");
        assertThat(ConfigKeys.DATA_DIR.envName()).isEqualTo("GATEHOUSE_DATA_DIR");
        assertThat(ConfigKeys.KEYS_HS256_SECRET.envNames()).containsExactly(
                "GATEHOUSE_KEYS_HS256_SECRET", "NEWAPI_TOKEN_SIGNING_KEY",
                "GATEHOUSE_KEYS_HS256_SECRET_FILE", "NEWAPI_TOKEN_SIGNING_KEY_FILE");
        assertThat(ConfigKeys.ALL.stream().map(ConfigKey::envName).distinct()).hasSameSizeAs(ConfigKeys.ALL);
    }

    /** {@code a.b: v} as nested YAML. */
    private static String nested(String setting) {
        int colon = setting.indexOf(": ");
        String[] path = setting.substring(0, colon).split("\\.");
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < path.length - 1; i++) {
            yaml.append("  ".repeat(i)).append(path[i]).append(":\n");
        }
        return yaml.append("  ".repeat(path.length - 1)).append(path[path.length - 1])
                .append(setting.substring(colon)).append('\n').toString();
    }
}
