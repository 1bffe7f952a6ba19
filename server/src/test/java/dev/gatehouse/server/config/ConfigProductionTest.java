package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.ConfigTestSupport.problemsOf;
import static dev.gatehouse.server.config.ConfigTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.sandbox.SandboxConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigProductionTest {
    private static final String KEK = Base64.getEncoder().encodeToString(new byte[32]);

    @TempDir
    Path dir;

    @Test
    void production_refusesEveryDevelopmentConvenience() {
        Path dataDir = dir.resolve("data");

        assertThat(problemsOf(null, Map.of("GATEHOUSE_PRODUCTION", "true", "GATEHOUSE_DATA_DIR", dataDir.toString())))
                .containsExactly(
                        "store.url: \"jdbc:sqlite:" + dataDir.resolve("gatehouse.db")
                                + "\" (expected: jdbc:postgresql://... in production; SQLite is for development only)",
                        "keys.kek: (not set) (expected: set in production;"
                                + " the generated key file is for development only)",
                        "server.publicUrl: \"http://127.0.0.1:8080\" (expected: https URL in production)",
                        "tokens.issuer: \"http://127.0.0.1:8080\" (expected: https URL in production)",
                        "identity.local: \"true\" (expected: false in production;"
                                + " local identity is for development only)",
                        "sandbox.backend: \"process\" (expected: kubernetes in production when the sandbox role runs;"
                                + " the process backend runs sandboxes as Gatehouse's own user, beside its data and"
                                + " secrets, for development only)");
    }

    @Test
    void production_acceptsTheProcessBackend_onlyWhenNoSandboxRoleRuns() {
        Map<String, String> env = productionEnv();
        env.remove("GATEHOUSE_SANDBOX_BACKEND");
        env.put("GATEHOUSE_ROLES", "auth,gateway");

        assertThat(ConfigLoader.load(null, env).sandbox().backend()).isEqualTo(SandboxConfig.Backend.PROCESS);
    }

    @Test
    void production_acceptsPostgresKekAndHttps() {
        GatehouseConfig config = ConfigLoader.load(null, productionEnv());

        assertThat(config.production()).isTrue();
        assertThat(config.tokens().issuer()).isEqualTo(URI.create("https://gatehouse.example.com"));
    }

    @Test
    void production_namesTheVariableThatSetTheRefusedValue() {
        Map<String, String> env = productionEnv();
        env.put("GATEHOUSE_TOKENS_ISSUER", "http://gatehouse.example.com");

        assertThat(problemsOf(null, env))
                .containsExactly("GATEHOUSE_TOKENS_ISSUER: \"http://gatehouse.example.com\""
                        + " (expected: https URL in production)");
    }

    @Test
    void production_doesNotRepeatAKeyThatAlreadyHasAProblem() {
        Map<String, String> env = productionEnv();
        env.put("GATEHOUSE_STORE_URL", "jdbc:mysql://db/gh");

        assertThat(problemsOf(null, env)).containsExactly(
                "GATEHOUSE_STORE_URL: jdbc:mysql://db/gh (expected: jdbc:sqlite:... or jdbc:postgresql://...)");
    }

    @Test
    void production_fromYaml_reportsAlongsideOtherProblems() {
        Path file = write(dir, "gatehouse.yaml", """
                production: true
                identity:
                  local: false
                server:
                  publicUrl: https://gatehouse.example.com
                  port: -1
                keys:
                  kek: %s
                roles: [auth, gateway]
                """.formatted(KEK));

        assertThat(problemsOf(file, Map.of())).containsExactly(
                "server.port: -1 (expected: 0..65535)",
                "store.url: \"jdbc:sqlite:" + Path.of("data").toAbsolutePath().resolve("gatehouse.db")
                        + "\" (expected: jdbc:postgresql://... in production; SQLite is for development only)");
    }

    @Test
    void production_keycloakIssuers_needAnAudienceAndHttps() {
        Map<String, String> env = productionEnv();
        env.put("GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", "https://sso.test/realms/acme,http://sso.test/realms/globex");

        assertThat(problemsOf(null, env)).containsExactly(
                "GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS: \"https://sso.test/realms/acme,http://sso.test/realms/globex\""
                        + " (expected: https URLs in production; keys fetched over plain HTTP can be spoofed)",
                "identity.keycloak.audience: \"(not set)\" (expected: set in production when"
                        + " identity.keycloak.issuers is set, e.g. gatehouse; otherwise a token of any client of a"
                        + " trusted realm is accepted)",
                "identity.keycloak.organizations: \"(not set)\" (expected: every identity.keycloak.issuers entry"
                        + " bound to its organization in production with topology per-organization; otherwise any"
                        + " trusted Keycloak can speak for any organization)");

        env.put("GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", "https://sso.test/realms/acme");
        env.put("GATEHOUSE_IDENTITY_KEYCLOAK_AUDIENCE", "gatehouse");
        env.put("GATEHOUSE_IDENTITY_KEYCLOAK_ORGANIZATIONS", "https://sso.test/realms/acme=acme");
        assertThat(ConfigLoader.load(null, env).identity().audience()).hasValue("gatehouse");
    }

    @Test
    void production_perOrganization_everyIssuerMustBeBound_sharedSovereignBindsByRealm() {
        Map<String, String> env = productionEnv();
        env.put("GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", "https://a.test/realms/acme,https://g.test/realms/globex");
        env.put("GATEHOUSE_IDENTITY_KEYCLOAK_AUDIENCE", "gatehouse");
        env.put("GATEHOUSE_IDENTITY_KEYCLOAK_ORGANIZATIONS", "https://a.test/realms/acme=acme");

        assertThat(problemsOf(null, env)).singleElement().asString().startsWith(
                "GATEHOUSE_IDENTITY_KEYCLOAK_ORGANIZATIONS: \"https://a.test/realms/acme=acme\" (expected: every");

        env.remove("GATEHOUSE_IDENTITY_KEYCLOAK_ORGANIZATIONS");
        env.put("GATEHOUSE_IDENTITY_TOPOLOGY", "shared-sovereign");
        assertThat(ConfigLoader.load(null, env).identity().organizations()).isEmpty();
    }

    @Test
    void withoutProduction_developmentConveniencesAreAccepted() {
        Map<String, String> env = Map.of("GATEHOUSE_PRODUCTION", "false");

        assertThat(ConfigLoader.load(null, env).store().isPostgres()).isFalse();
    }

    private static Map<String, String> productionEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("GATEHOUSE_PRODUCTION", "true");
        env.put("GATEHOUSE_STORE_URL", "jdbc:postgresql://db:5432/gatehouse");
        env.put("GATEHOUSE_KEYS_KEK", KEK);
        env.put("GATEHOUSE_SERVER_PUBLIC_URL", "https://gatehouse.example.com");
        env.put("GATEHOUSE_IDENTITY_LOCAL", "false");
        env.put("GATEHOUSE_SANDBOX_BACKEND", "kubernetes");
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_NAMESPACE", "gatehouse-sandboxes");
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_IMAGE", "ghcr.io/example/gatehouse-runtime@sha256:" + "0".repeat(64));
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_GATEWAY_NAMESPACE", "gatehouse");
        return env;
    }
}
