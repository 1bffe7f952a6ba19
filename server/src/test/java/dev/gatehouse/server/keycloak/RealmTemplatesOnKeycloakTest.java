package dev.gatehouse.server.keycloak;

import static dev.gatehouse.server.testing.keycloak.KeycloakExtension.ACME;
import static dev.gatehouse.server.testing.keycloak.KeycloakExtension.GLOBEX;
import static dev.gatehouse.server.testing.keycloak.KeycloakExtension.PER_ORGANIZATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.server.identity.Topology;
import dev.gatehouse.server.testing.keycloak.Keycloak;
import dev.gatehouse.server.testing.keycloak.KeycloakExtension;
import dev.gatehouse.server.testing.keycloak.KeycloakRequestException;
import dev.gatehouse.server.testing.keycloak.Tokens;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The realm templates on a real Keycloak: imported at start-up (--import-realm) or through the
 * admin API, every client (also one created after import) gets {@code org_id} and {@code groups}.
 * Every client and user here is created after import, with names unique in the shared Keycloak.
 */
@ExtendWith(KeycloakExtension.class)
class RealmTemplatesOnKeycloakTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Keycloak keycloak;

    RealmTemplatesOnKeycloakTest(Keycloak keycloak) {
        this.keycloak = keycloak;
    }

    @Test
    void importedRealms_makeOrganizationScopeADefaultForEveryClient() {
        for (String realm : List.of(ACME, GLOBEX, PER_ORGANIZATION)) {
            assertThat(keycloak.defaultClientScopes(realm)).as(realm).contains("organization-id", "basic", "roles");
        }
    }

    @Test
    void userWithOrgAttribute_getsOrgIdAndGroupsInAccessTokenIdTokenAndUserinfo() throws Exception {
        keycloak.createTestClient(ACME, "claims-cli", null);
        keycloak.createUser(ACME, "claims-alice", PASSWORD, Map.of("org", "acme"));
        keycloak.addUserToGroup(ACME, "claims-alice", "engineers");

        Tokens tokens = keycloak.passwordGrantAll(ACME, "claims-cli", null, "claims-alice", PASSWORD);

        JsonNode access = Keycloak.payload(tokens.accessToken());
        assertThat(access.path("iss").asText()).isEqualTo(keycloak.issuer(ACME));
        assertThat(access.path("org_id").asText()).isEqualTo("acme");
        assertThat(access.path("groups")).containsExactly(JSON.valueToTree("engineers"));
        JsonNode id = Keycloak.payload(tokens.idToken());
        assertThat(id.path("org_id").asText()).isEqualTo("acme");
        assertThat(id.path("groups")).containsExactly(JSON.valueToTree("engineers"));
        JsonNode userinfo = JSON.readTree(keycloak.userinfo(ACME, tokens.accessToken()));
        assertThat(userinfo.path("org_id").asText()).isEqualTo("acme");
        assertThat(userinfo.path("groups")).containsExactly(JSON.valueToTree("engineers"));
    }

    @Test
    void confidentialClientCreatedAfterImport_getsTheScope_andItsServiceAccountHasNoOrganization() {
        keycloak.createTestClient(ACME, "late-service", "late-service-secret");

        assertThat(keycloak.clientDefaultScopes(ACME, "late-service")).contains("organization-id");
        JsonNode serviceToken = Keycloak.payload(keycloak.clientCredentials(ACME, "late-service", "late-service-secret"));
        assertThat(serviceToken.path("azp").asText()).isEqualTo("late-service");
        assertThat(serviceToken.has("org_id")).as("a service account has no org attribute").isFalse();
    }

    @Test
    void twoOrganizationsInSharedSovereignMode_eachRealmIssuesItsOwnIssuerAndOrganization() {
        keycloak.createTestClient(ACME, "two-orgs", null);
        keycloak.createTestClient(GLOBEX, "two-orgs", null);
        keycloak.createUser(ACME, "two-orgs-ann", PASSWORD, Map.of("org", "acme"));
        keycloak.createUser(GLOBEX, "two-orgs-gus", PASSWORD, Map.of("org", "globex"));

        JsonNode acme = Keycloak.payload(keycloak.passwordGrant(ACME, "two-orgs", null, "two-orgs-ann", PASSWORD));
        JsonNode globex = Keycloak.payload(keycloak.passwordGrant(GLOBEX, "two-orgs", null, "two-orgs-gus", PASSWORD));

        assertThat(acme.path("iss").asText()).isEqualTo(keycloak.issuer(ACME)).endsWith("/realms/acme");
        assertThat(acme.path("org_id").asText()).isEqualTo("acme");
        assertThat(globex.path("iss").asText()).isEqualTo(keycloak.issuer(GLOBEX)).endsWith("/realms/globex");
        assertThat(globex.path("org_id").asText()).isEqualTo("globex");
        assertThatThrownBy(() -> keycloak.passwordGrant(GLOBEX, "two-orgs", null, "two-orgs-ann", PASSWORD))
                .as("acme's user does not exist in globex")
                .isInstanceOfSatisfying(KeycloakRequestException.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.body()).contains("invalid_grant");
                });
    }

    @Test
    void perOrganizationTemplate_importedAtStartAndCreatedThroughAdminApi_bothIssueOrgId() {
        keycloak.createRealm(RealmParameters.of(Topology.PER_ORGANIZATION, "hooli").withRealm("hooli-staff"));
        for (String[] realmAndOrg : List.of(new String[] {PER_ORGANIZATION, "initech"},
                new String[] {"hooli-staff", "hooli"})) {
            String realm = realmAndOrg[0];
            keycloak.createTestClient(realm, "per-org-cli", null);
            keycloak.createUser(realm, "per-org-pat", PASSWORD, Map.of("org", realmAndOrg[1]));

            JsonNode access = Keycloak.payload(keycloak.passwordGrant(realm, "per-org-cli", null, "per-org-pat", PASSWORD));

            assertThat(access.path("iss").asText()).isEqualTo(keycloak.issuer(realm));
            assertThat(access.path("org_id").asText()).as(realm).isEqualTo(realmAndOrg[1]);
        }
    }

    @Test
    void orgAttributeThatIsNotASafeId_refusedByTheUserProfile() {
        assertThatThrownBy(() -> keycloak.createUser(ACME, "profile-mallory", PASSWORD, Map.of("org", "Acme Corp")))
                .isInstanceOfSatisfying(KeycloakRequestException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void realmRoleAndProtocolMapper_helpersShapeTheToken() {
        keycloak.createTestClient(GLOBEX, "helpers-cli", null);
        keycloak.createUser(GLOBEX, "helpers-hank", PASSWORD, Map.of("org", "globex"));
        keycloak.assignRealmRole(GLOBEX, "helpers-hank", "gatehouse-admin");
        keycloak.assignClientRole(GLOBEX, "helpers-hank", "helpers-cli", "pat-writer");
        keycloak.addProtocolMapper(GLOBEX, "helpers-cli", """
                {"name": "legacy org", "protocol": "openid-connect", "protocolMapper": "oidc-usermodel-attribute-mapper",
                 "config": {"user.attribute": "org", "claim.name": "org", "jsonType.label": "String",
                            "access.token.claim": "true", "id.token.claim": "true", "userinfo.token.claim": "true"}}
                """);

        JsonNode access = Keycloak.payload(keycloak.passwordGrant(GLOBEX, "helpers-cli", null, "helpers-hank", PASSWORD));

        assertThat(access.path("realm_access").path("roles")).contains(JSON.valueToTree("gatehouse-admin"));
        assertThat(access.path("resource_access").path("helpers-cli").path("roles"))
                .containsExactly(JSON.valueToTree("pat-writer"));
        assertThat(access.path("org").asText()).isEqualTo("globex");
        assertThat(access.path("org_id").asText()).isEqualTo("globex");
    }
}
