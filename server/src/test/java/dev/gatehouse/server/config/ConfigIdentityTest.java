package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.ConfigTestSupport.loadYaml;
import static dev.gatehouse.server.config.ConfigTestSupport.problemsOf;
import static dev.gatehouse.server.config.ConfigTestSupport.yamlProblems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.identity.IdentityConfig;
import dev.gatehouse.server.identity.Topology;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigIdentityTest {
    @TempDir
    Path dir;

    @Test
    void consoleClientSecret_isRefusedWithMoreThanOneRealm() {
        assertThat(problemsOf(null, Map.of(
                "GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", "http://kc/realms/acme,http://kc/realms/globex",
                "GATEHOUSE_CONSOLE_KEYCLOAK_CLIENT_SECRET", "s3cret")))
                .singleElement().asString().startsWith("GATEHOUSE_CONSOLE_KEYCLOAK_CLIENT_SECRET: ")
                .contains("not set with more than one of identity.keycloak.issuers").doesNotContain("s3cret");
    }

    @Test
    void defaults_perOrganization_localIdentity_noKeycloak() {
        IdentityConfig identity = ConfigLoader.load(null, Map.of()).identity();

        assertThat(identity.topology()).isEqualTo(Topology.PER_ORGANIZATION);
        assertThat(identity.local()).isTrue();
        assertThat(identity.issuers()).isEmpty();
        assertThat(identity.audience()).isEmpty();
        assertThat(identity.roleCapabilities()).isEmpty();
        assertThat(identity.jwksRefreshMinInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void environmentForms() {
        IdentityConfig identity = ConfigLoader.load(null, Map.of(
                "GATEHOUSE_IDENTITY_TOPOLOGY", "shared-sovereign",
                "GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", "https://sso.test/realms/acme, https://sso.test/realms/globex",
                "GATEHOUSE_IDENTITY_KEYCLOAK_AUDIENCE", "gatehouse",
                "GATEHOUSE_IDENTITY_ROLE_CAPABILITIES", "gatehouse-user=pat:create; gatehouse/admin=pat:create,audit:read",
                "GATEHOUSE_IDENTITY_KEYCLOAK_JWKS_REFRESH_MIN_INTERVAL", "10s",
                "GATEHOUSE_IDENTITY_LOCAL", "false")).identity();

        assertThat(identity.topology()).isEqualTo(Topology.SHARED_SOVEREIGN);
        assertThat(identity.issuers()).containsExactly(
                URI.create("https://sso.test/realms/acme"), URI.create("https://sso.test/realms/globex"));
        assertThat(identity.audience()).hasValue("gatehouse");
        assertThat(identity.roleCapabilities()).containsExactly(
                Map.entry("gatehouse-user", Set.of("pat:create")),
                Map.entry("gatehouse/admin", Set.of("pat:create", "audit:read")));
        assertThat(identity.jwksRefreshMinInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(identity.local()).isFalse();
    }

    @Test
    void yamlForms_listOfIssuers_mappingOfRoles_andDescribeShowsThem() {
        GatehouseConfig config = loadYaml(dir, """
                identity:
                  keycloak:
                    issuers:
                      - https://sso.test/realms/acme
                  roleCapabilities:
                    gatehouse-user: [pat:create]
                    gatehouse/admin: audit:read
                """, Map.of());

        assertThat(config.identity().issuers()).containsExactly(URI.create("https://sso.test/realms/acme"));
        assertThat(config.identity().roleCapabilities()).containsExactly(
                Map.entry("gatehouse-user", Set.of("pat:create")), Map.entry("gatehouse/admin", Set.of("audit:read")));
        assertThat(ConfigLoader.describe(config)).contains(
                "identity.roleCapabilities = gatehouse-user=pat:create;gatehouse/admin=audit:read",
                "identity.keycloak.issuers = https://sso.test/realms/acme",
                "identity.keycloak.audience = (not set)");
    }

    @Test
    void badValues_areEachNamed() {
        assertThat(yamlProblems(dir, """
                identity:
                  topology: both
                  keycloak:
                    issuers: [ftp://sso.test]
                    jwksRefreshMinInterval: 0s
                  roleCapabilities:
                    admin: []
                    dev: {nested: x}
                """)).containsExactlyInAnyOrder(
                "identity.topology: \"both\" (expected: per-organization or shared-sovereign)",
                "identity.keycloak.issuers: \"ftp://sso.test\" (expected: comma-separated list of absolute http or https URLs)",
                "identity.roleCapabilities: a mapping (expected: role=capability,capability;role=capability"
                        + " (YAML: a mapping of role to a list of capabilities))",
                "identity.keycloak.jwksRefreshMinInterval: PT0S (expected: PT1S..PT5M)");
    }

    @Test
    void roleWithoutCapabilities_isRefused() {
        assertThat(problemsOf(null, Map.of("GATEHOUSE_IDENTITY_ROLE_CAPABILITIES", "admin=")))
                .containsExactly("GATEHOUSE_IDENTITY_ROLE_CAPABILITIES: identity.roleCapabilities.admin: []"
                        + " (expected: at least one capability)");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_IDENTITY_ROLE_CAPABILITIES", "admin")))
                .singleElement().asString().startsWith("GATEHOUSE_IDENTITY_ROLE_CAPABILITIES: \"admin\" (expected:");
    }

    @Test
    void sharedSovereign_needsRealmIssuers() {
        assertThat(problemsOf(null, Map.of(
                "GATEHOUSE_IDENTITY_TOPOLOGY", "shared-sovereign",
                "GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", "https://sso.test/realms/acme,https://login.test/")))
                .containsExactly("identity.keycloak.issuers[1]: \"https://login.test/\" (expected: a Keycloak realm URL"
                        + " ending in /realms/<organization> for topology shared-sovereign)");
    }

    @Test
    void gatehouseOwnIssuer_isNotAKeycloakIssuer() {
        assertThat(problemsOf(null, Map.of(
                "GATEHOUSE_TOKENS_ISSUER", "https://gatehouse.test",
                "GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", "https://gatehouse.test")))
                .containsExactly("identity.keycloak.issuers[0]: \"https://gatehouse.test\" (expected: a Keycloak"
                        + " issuer, not tokens.issuer; Gatehouse's own tokens need no entry)");
    }

    @Test
    void duplicateIssuer_isRefused() {
        assertThat(problemsOf(null, Map.of(
                "GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", "https://sso.test/realms/a,https://sso.test/realms/a")))
                .containsExactly("GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS: identity.keycloak.issuers[1]: \"https://sso.test/realms/a\""
                        + " (expected: each issuer once)");
    }

    @Test
    void organizations_environmentAndYamlForms_bindIssuers() {
        IdentityConfig fromEnv = ConfigLoader.load(null, Map.of(
                "GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", "https://id.acme.test/realms/acme,https://id.globex.test/realms/g",
                "GATEHOUSE_IDENTITY_KEYCLOAK_ORGANIZATIONS",
                "https://id.acme.test/realms/acme=acme; https://id.globex.test/realms/g=globex")).identity();
        GatehouseConfig fromYaml = loadYaml(dir, """
                identity:
                  keycloak:
                    issuers: [https://id.acme.test/realms/acme]
                    organizations:
                      https://id.acme.test/realms/acme: acme
                """, Map.of());

        assertThat(fromEnv.organizationOf(URI.create("https://id.acme.test/realms/acme"))).hasValue("acme");
        assertThat(fromEnv.organizationOf(URI.create("https://id.globex.test/realms/g"))).hasValue("globex");
        assertThat(fromYaml.identity().organizations())
                .containsExactly(Map.entry(URI.create("https://id.acme.test/realms/acme"), "acme"));
        assertThat(ConfigLoader.describe(fromYaml))
                .contains("identity.keycloak.organizations = https://id.acme.test/realms/acme=acme");
    }

    @Test
    void organizations_ofAnIssuerNotConfigured_orMalformed_areRefused() {
        assertThat(problemsOf(null, Map.of(
                "GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", "https://id.acme.test/realms/acme",
                "GATEHOUSE_IDENTITY_KEYCLOAK_ORGANIZATIONS", "https://evil.test/realms/acme=acme")))
                .containsExactly("GATEHOUSE_IDENTITY_KEYCLOAK_ORGANIZATIONS: https://evil.test/realms/acme=acme"
                        + " (expected: only issuers of identity.keycloak.issuers, https://id.acme.test/realms/acme)");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_IDENTITY_KEYCLOAK_ORGANIZATIONS", "https://id.acme.test=")))
                .singleElement().asString()
                .startsWith("GATEHOUSE_IDENTITY_KEYCLOAK_ORGANIZATIONS: \"https://id.acme.test=\" (expected: issuer=");
    }

    @Test
    void realmOf_isTheLastPathSegmentAfterRealms() {
        assertThat(IdentityConfig.realmOf(URI.create("https://sso.test/auth/realms/acme"))).hasValue("acme");
        assertThat(IdentityConfig.realmOf(URI.create("https://sso.test/realms/acme/x"))).isEmpty();
        assertThat(IdentityConfig.realmOf(URI.create("https://sso.test/"))).isEmpty();
    }
}
