package dev.gatehouse.server.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.server.identity.Topology;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The realm templates render into valid, operator-ready realm JSON; bad input is refused by name. */
class RealmTemplatesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @EnumSource(Topology.class)
    void render_givesRealmWithOrganizationScopeAsDefaultForEveryClient(Topology topology) throws Exception {
        JsonNode realm = JSON.readTree(RealmTemplates.render(RealmParameters.of(topology, "acme")));

        assertThat(realm.path("realm").asText()).isEqualTo("acme");
        assertThat(realm.path("attributes").path("gatehouse.topology").asText()).isEqualTo(topology.configName());
        assertThat(texts(realm.path("defaultDefaultClientScopes")))
                .contains("organization-id", "basic", "profile", "email", "roles", "web-origins", "acr");
        JsonNode scope = byName(realm.path("clientScopes"), "organization-id");
        JsonNode orgId = byName(scope.path("protocolMappers"), "org_id");
        assertThat(orgId.path("protocolMapper").asText()).isEqualTo("oidc-usermodel-attribute-mapper");
        assertThat(orgId.path("config").path("user.attribute").asText()).isEqualTo("org");
        assertThat(orgId.path("config").path("claim.name").asText()).isEqualTo("org_id");
        for (String token : List.of("access.token.claim", "id.token.claim", "userinfo.token.claim")) {
            assertThat(orgId.path("config").path(token).asText()).as(token).isEqualTo("true");
        }
        JsonNode groups = byName(scope.path("protocolMappers"), "groups");
        assertThat(groups.path("protocolMapper").asText()).isEqualTo("oidc-group-membership-mapper");
        assertThat(groups.path("config").path("claim.name").asText()).isEqualTo("groups");
        assertThat(groups.path("config").path("full.path").asText()).isEqualTo("false");
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void render_isOperatorReady_noUsersNoSecretsBruteForceOn(Topology topology) throws Exception {
        String rendered = RealmTemplates.render(RealmParameters.of(topology, "acme"));
        JsonNode realm = JSON.readTree(rendered);

        assertThat(realm.has("users")).isFalse();
        assertThat(rendered).doesNotContain("\"secret\"").doesNotContainPattern("\\$\\{[A-Z][A-Z0-9_]*}");
        assertThat(realm.path("bruteForceProtected").asBoolean()).isTrue();
        assertThat(realm.path("sslRequired").asText()).isEqualTo("external");
        assertThat(realm.path("registrationAllowed").asBoolean()).isFalse();
        assertThat(realm.path("accessTokenLifespan").asInt()).isBetween(60, 900);
        JsonNode client = byField(realm.path("clients"), "clientId", "gatehouse");
        assertThat(client.path("publicClient").asBoolean()).isTrue();
        assertThat(client.path("directAccessGrantsEnabled").asBoolean()).isFalse();
        assertThat(client.path("attributes").path("pkce.code.challenge.method").asText()).isEqualTo("S256");
        JsonNode profile = JSON.readTree(realm.path("components").path("org.keycloak.userprofile.UserProfileProvider")
                .get(0).path("config").path("kc.user.profile.config").get(0).asText());
        JsonNode org = byName(profile.path("attributes"), "org");
        assertThat(texts(org.path("permissions").path("edit"))).as("users must not pick their own organization")
                .containsExactly("admin");
    }

    @Test
    void templates_differOnlyInRealmNameAndTopology() {
        String shared = RealmTemplates.template(Topology.SHARED_SOVEREIGN);
        String perOrganization = RealmTemplates.template(Topology.PER_ORGANIZATION)
                .replace("\"realm\": \"${REALM}\"", "\"realm\": \"${ORG}\"")
                .replace("per-organization", "shared-sovereign");

        assertThat(perOrganization).isEqualTo(shared);
    }

    @Test
    void render_escapesDisplayNameAndRedirectUri() throws Exception {
        RealmParameters parameters = RealmParameters.of(Topology.PER_ORGANIZATION, "acme")
                .withRealm("acme-staff").withDisplayName("Acme \"Rockets\" & Co \\ Ltd")
                .withRedirectUri("https://gatehouse.acme.example/*");

        JsonNode realm = JSON.readTree(RealmTemplates.render(parameters));

        assertThat(realm.path("realm").asText()).isEqualTo("acme-staff");
        assertThat(realm.path("attributes").path("gatehouse.organization").asText()).isEqualTo("acme");
        assertThat(realm.path("displayName").asText()).isEqualTo("Acme \"Rockets\" & Co \\ Ltd");
        assertThat(byField(realm.path("clients"), "clientId", "gatehouse").path("redirectUris").get(0).asText())
                .isEqualTo("https://gatehouse.acme.example/*");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Acme", "-acme", "acme_corp", "acme.corp", "../master", "acme ", "ünicode",
            "a234567890123456789012345678901234567890123456789012345678901234"})
    void badOrganizationId_refusedNamingTheRule(String organization) {
        assertThatThrownBy(() -> RealmParameters.of(Topology.SHARED_SOVEREIGN, organization))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("organization: ")
                .hasMessageContaining("[a-z0-9][a-z0-9-]{0,62}");
    }

    @Test
    void longestOrganizationId_accepted() {
        String id = "a" + "-".repeat(61) + "z";
        assertThat(RealmParameters.of(Topology.SHARED_SOVEREIGN, id).realm()).isEqualTo(id);
    }

    @Test
    void sharedSovereign_realmOtherThanOrganization_refused() {
        assertThatThrownBy(() -> RealmParameters.of(Topology.SHARED_SOVEREIGN, "acme").withRealm("globex"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("realm: \"globex\" (expected: the organization id \"acme\" in shared-sovereign mode)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "${env.KC_DB_PASSWORD}", "line\nbreak"})
    void badDisplayName_refused_soKeycloakNeverResolvesOrShowsIt(String displayName) {
        RealmParameters parameters = RealmParameters.of(Topology.SHARED_SOVEREIGN, "acme");

        assertThatThrownBy(() -> parameters.withDisplayName(displayName))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("displayName: ")
                .hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gatehouse.example", "ftp://x/", "https://", "https://a/${X}", "https://a/\"", "https://a b/"})
    void badRedirectUri_refused(String uri) {
        RealmParameters parameters = RealmParameters.of(Topology.SHARED_SOVEREIGN, "acme");

        assertThatThrownBy(() -> parameters.withRedirectUri(uri))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("redirectUri: ");
    }

    private static JsonNode byName(JsonNode array, String name) {
        return byField(array, "name", name);
    }

    private static JsonNode byField(JsonNode array, String field, String value) {
        for (JsonNode node : array) {
            if (value.equals(node.path(field).asText())) {
                return node;
            }
        }
        throw new AssertionError("no " + field + "=" + value + " in " + array);
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
