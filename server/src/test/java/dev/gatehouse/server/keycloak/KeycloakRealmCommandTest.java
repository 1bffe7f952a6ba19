package dev.gatehouse.server.keycloak;

import static dev.gatehouse.server.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.server.cli.CliRun;
import dev.gatehouse.server.cli.GatehouseCli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gatehouse keycloak realm}, run through the real command line. */
class KeycloakRealmCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void sharedSovereign_printsRealmNamedAfterTheOrganization() throws Exception {
        CliRun run = run("keycloak", "realm", "--topology", "shared-sovereign", "--org", "acme",
                "--display-name", "Acme \"Rockets\"");

        assertThat(run.exitCode()).isZero();
        JsonNode realm = JSON.readTree(run.out());
        assertThat(realm.path("realm").asText()).isEqualTo("acme");
        assertThat(realm.path("displayName").asText()).isEqualTo("Acme \"Rockets\"");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void perOrganization_withRealmAndRedirectUri_writesFile() throws Exception {
        Path file = dir.resolve("initech.json");

        CliRun run = run("keycloak", "realm", "--topology", "per-organization", "--org", "initech",
                "--realm", "staff", "--redirect-uri", "https://gatehouse.initech.example/*", "-o", file.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("wrote realm").contains(file.toString());
        JsonNode realm = JSON.readTree(Files.readString(file));
        assertThat(realm.path("realm").asText()).isEqualTo("staff");
        assertThat(realm.path("attributes").path("gatehouse.organization").asText()).isEqualTo("initech");
    }

    @Test
    void badOrganizationId_exit2_namingTheRule_nothingPrinted() {
        CliRun run = run("keycloak", "realm", "--topology", "shared-sovereign", "--org", "Acme Corp");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("organization: \"Acme Corp\"").contains("[a-z0-9][a-z0-9-]{0,62}");
    }

    @Test
    void unknownTopology_exit2() {
        CliRun run = run("keycloak", "realm", "--topology", "shared", "--org", "acme");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("expected: shared-sovereign or per-organization");
    }

    @Test
    void realmOptionInSharedSovereignMode_exit2() {
        CliRun run = run("keycloak", "realm", "--topology", "shared-sovereign", "--org", "acme", "--realm", "other");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--realm: not allowed with --topology shared-sovereign");
    }

    @Test
    void missingOrg_exit2() {
        CliRun run = run("keycloak", "realm", "--topology", "shared-sovereign");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--org");
    }

    @Test
    void fapiProfile_writesTheFapiRealmWithNoOtherOption() throws Exception {
        Path file = dir.resolve("fapi.json");

        CliRun run = run("keycloak", "realm", "--profile", "fapi", "-o", file.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualToIgnoringNewLines("wrote FAPI 2.0 realm open-banking to " + file);
        assertThat(Files.readString(file)).isEqualTo(FapiRealm.json());
        JsonNode realm = JSON.readTree(Files.readString(file));
        assertThat(realm.path("realm").asText()).isEqualTo("open-banking");
        assertThat(realm.path("sslRequired").asText()).isEqualTo("all");
    }

    @Test
    void fapiProfile_toStandardOutput() throws Exception {
        CliRun run = run("keycloak", "realm", "--profile", "fapi");

        assertThat(run.exitCode()).isZero();
        assertThat(JSON.readTree(run.out()).path("realm").asText()).isEqualTo("open-banking");
    }

    @Test
    void fapiProfileWithAnOrganizationOption_exit2() {
        CliRun run = run("keycloak", "realm", "--profile", "fapi", "--org", "acme");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("--org: not allowed with --profile fapi");
    }

    @Test
    void unknownProfile_exit2() {
        CliRun run = run("keycloak", "realm", "--profile", "fapi1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--profile: \"fapi1\" (expected: fapi)");
    }

    @Test
    void noTopologyAndNoProfile_exit2() {
        CliRun run = run("keycloak", "realm", "--org", "acme");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--topology: required").contains("--profile fapi");
    }

    @Test
    void unwritableOutput_exit1() {
        CliRun run = run("keycloak", "realm", "--topology", "shared-sovereign", "--org", "acme",
                "-o", dir.resolve("absent/realm.json").toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("cannot write");
    }


}
