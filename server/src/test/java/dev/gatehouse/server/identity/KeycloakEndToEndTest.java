package dev.gatehouse.server.identity;

import static dev.gatehouse.server.testing.keycloak.KeycloakExtension.ACME;
import static dev.gatehouse.server.testing.keycloak.KeycloakExtension.GLOBEX;
import static dev.gatehouse.server.testing.keycloak.KeycloakExtension.PER_ORGANIZATION;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.testing.keycloak.Keycloak;
import dev.gatehouse.server.testing.keycloak.KeycloakExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gatehouse trusting two realms of a real Keycloak in shared-sovereign mode (realm acme for
 * organization acme, realm globex for globex; realm initech exists but is not trusted): real user
 * tokens at /auth/session and the PAT API, with the organization boundaries between them.
 */
class KeycloakEndToEndTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final String CLIENT = "e2e-cli";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KeycloakExtension KEYCLOAK = new KeycloakExtension();

    @TempDir
    static Path dataDir;

    static Keycloak keycloak;
    static Gatehouse gatehouse;

    @BeforeAll
    static void start() {
        keycloak = KEYCLOAK.keycloak();
        for (String realm : new String[] {ACME, GLOBEX, PER_ORGANIZATION}) {
            keycloak.createTestClient(realm, CLIENT, null);
        }
        gatehouse = Gatehouse.start(TestGatehouse.config(dataDir, Map.of(
                "GATEHOUSE_IDENTITY_TOPOLOGY", "shared-sovereign",
                "GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", keycloak.issuer(ACME) + "," + keycloak.issuer(GLOBEX),
                "GATEHOUSE_IDENTITY_ROLE_CAPABILITIES", "gatehouse-user=pat:create,llm:use")));
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
    }

    @Test
    void keycloakUser_sessionShowsTheNormalizedPrincipal() {
        String token = user(ACME, "e2e-alice", "acme");
        keycloak.addUserToGroup(ACME, "e2e-alice", "engineers");
        keycloak.assignRealmRole(ACME, "e2e-alice", "gatehouse-user");
        token = keycloak.passwordGrant(ACME, CLIENT, null, "e2e-alice", PASSWORD);

        HttpResponse<String> response = get("/auth/session", token);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonObject principal = new JsonObject(response.body());
        assertThat(principal.getString("subject")).isEqualTo(Keycloak.payload(token).path("sub").asText());
        assertThat(principal.getString("issuer")).isEqualTo(keycloak.issuer(ACME));
        assertThat(principal.getString("organization")).isEqualTo("acme");
        assertThat(principal.getString("type")).isEqualTo("session");
        assertThat(principal.getJsonArray("groups").getList()).containsExactly("engineers");
        assertThat(principal.getJsonArray("capabilities").getList()).containsExactly("llm:use", "pat:create");
    }

    @Test
    void pat_fromAKeycloakSession_isConfinedToItsOrganization() {
        user(ACME, "e2e-ann", "acme");
        keycloak.assignRealmRole(ACME, "e2e-ann", "gatehouse-user");
        String ann = keycloak.passwordGrant(ACME, CLIENT, null, "e2e-ann", PASSWORD);
        String gus = user(GLOBEX, "e2e-gus", "globex");

        HttpResponse<String> created = post("/auth/pat", ann,
                "{\"name\":\"ci\",\"ttl\":\"7d\",\"audience\":\"gateway\",\"capabilities\":[\"llm:use\"]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String patId = new JsonObject(created.body()).getString("id");
        JsonNode claims = Keycloak.payload(new JsonObject(created.body()).getString("token"));
        assertThat(claims.path("typ").asText()).isEqualTo("pat");
        assertThat(claims.path("org_id").asText()).isEqualTo("acme");

        HttpResponse<String> overreach = post("/auth/pat", ann,
                "{\"name\":\"root\",\"audience\":\"gateway\",\"capabilities\":[\"admin:all\"]}");
        assertThat(overreach.statusCode()).isEqualTo(403);

        assertThat(pats(gus)).isEmpty();
        assertThat(delete("/auth/pats/" + patId, gus).statusCode()).as("globex cannot revoke acme's PAT").isEqualTo(404);
        JsonArray annPats = pats(ann);
        assertThat(annPats).hasSize(1);
        assertThat(annPats.getJsonObject(0).getString("status")).isEqualTo("active");
        assertThat(delete("/auth/pats/" + patId, ann).statusCode()).isEqualTo(204);
    }

    @Test
    void legacyTokenCarryingOnlyOrg_isAccepted() throws Exception {
        String clientUuid = keycloak.createTestClient(ACME, "e2e-legacy", null);
        String scopeId = scopeId(ACME, "organization-id");
        keycloak.admin("DELETE", "/admin/realms/" + ACME + "/clients/" + clientUuid + "/default-client-scopes/"
                + scopeId, null, 204);
        keycloak.addProtocolMapper(ACME, "e2e-legacy", """
                {"name": "legacy org", "protocol": "openid-connect", "protocolMapper": "oidc-usermodel-attribute-mapper",
                 "config": {"user.attribute": "org", "claim.name": "org", "jsonType.label": "String",
                            "access.token.claim": "true", "id.token.claim": "true", "userinfo.token.claim": "true"}}
                """);
        keycloak.createUser(ACME, "e2e-legacy-lee", PASSWORD, Map.of("org", "acme"));
        String token = keycloak.passwordGrant(ACME, "e2e-legacy", null, "e2e-legacy-lee", PASSWORD);
        assertThat(Keycloak.payload(token).has("org_id")).isFalse();
        assertThat(Keycloak.payload(token).path("org").asText()).isEqualTo("acme");

        HttpResponse<String> response = get("/auth/session", token);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getString("organization")).isEqualTo("acme");
    }

    @Test
    void userOfOneRealmClaimingAnotherOrganization_isRefused() {
        String token = user(GLOBEX, "e2e-mallory", "acme");

        HttpResponse<String> response = get("/auth/session", token);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("organization_conflict");
    }

    @Test
    void tokenOfAnUntrustedRealm_isRefused() {
        String token = user(PER_ORGANIZATION, "e2e-ivan", "initech");

        HttpResponse<String> response = get("/auth/session", token);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("wrong_issuer");
    }

    @Test
    void patCannotMintAPat() {
        user(ACME, "e2e-pam", "acme");
        keycloak.assignRealmRole(ACME, "e2e-pam", "gatehouse-user");
        String session = keycloak.passwordGrant(ACME, CLIENT, null, "e2e-pam", PASSWORD);
        String pat = new JsonObject(post("/auth/pat", session, "{\"name\":\"a\",\"audience\":\"gateway\"}").body())
                .getString("token");

        HttpResponse<String> response = post("/auth/pat", pat, "{\"name\":\"b\",\"audience\":\"gateway\"}");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(pats(session)).hasSize(1);
    }

    /** Creates the user with the org attribute and returns a fresh access token of theirs. */
    private static String user(String realm, String username, String organization) {
        keycloak.createUser(realm, username, PASSWORD, Map.of("org", organization));
        return keycloak.passwordGrant(realm, CLIENT, null, username, PASSWORD);
    }

    private static String scopeId(String realm, String name) throws Exception {
        for (JsonNode scope : JSON.readTree(keycloak.admin("GET", "/admin/realms/" + realm + "/client-scopes", null, 200))) {
            if (name.equals(scope.path("name").asText())) {
                return scope.path("id").asText();
            }
        }
        throw new AssertionError("no client scope " + name + " in " + realm);
    }

    private static JsonArray pats(String session) {
        return new JsonObject(get("/auth/pats", session).body()).getJsonArray("pats");
    }

    private static HttpResponse<String> get(String path, String token) {
        return TestGatehouse.get(url(path), "Authorization", "Bearer " + token);
    }

    private static HttpResponse<String> post(String path, String token, String json) {
        return TestGatehouse.send(HttpRequest.newBuilder(url(path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private static HttpResponse<String> delete(String path, String token) {
        return TestGatehouse.send(HttpRequest.newBuilder(url(path))
                .header("Authorization", "Bearer " + token).DELETE().build());
    }

    private static URI url(String path) {
        return gatehouse.localUrl().resolve(path);
    }
}
