package dev.gatehouse.server.identity;

import static dev.gatehouse.server.TestGatehouse.ISSUER;
import static dev.gatehouse.server.TestGatehouse.get;
import static dev.gatehouse.server.identity.FakeKeycloak.newKey;
import static dev.gatehouse.server.identity.FakeKeycloak.sign;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /auth/session on a real Gatehouse for local sessions and for tokens of two Keycloak realms. */
class IdentityHttpTest {
    @TempDir
    static Path dataDir;

    static RSAKey key;
    static FakeKeycloak acme;
    static FakeKeycloak globex;
    static Gatehouse gatehouse;

    @BeforeAll
    static void start() {
        key = newKey("acme-1");
        acme = FakeKeycloak.start("acme");
        acme.publish(key);
        globex = FakeKeycloak.start("globex");
        globex.down(true);
        gatehouse = Gatehouse.start(TestGatehouse.config(dataDir, Map.of(
                "GATEHOUSE_IDENTITY_TOPOLOGY", "shared-sovereign",
                "GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", acme.issuer() + "," + globex.issuer(),
                "GATEHOUSE_IDENTITY_ROLE_CAPABILITIES", "gatehouse-user=pat:create")));
    }

    @AfterAll
    static void stop() {
        gatehouse.close();
        acme.close();
        globex.close();
    }

    @Test
    void localSession_isTheCallersPrincipal() {
        String token = SigningTokenMinter.of(gatehouse.keyRing(), TestGatehouse.config(dataDir, Map.of()).tokens(),
                        Clock.systemUTC())
                .mint(LocalSession.request("alice", "acme", List.of("dev"), List.of("pat:create"), Duration.ofHours(1),
                        URI.create(ISSUER)))
                .token();

        HttpResponse<String> response = session(token);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonObject principal = new JsonObject(response.body());
        assertThat(principal.getString("subject")).isEqualTo("alice");
        assertThat(principal.getString("type")).isEqualTo("session");
        assertThat(principal.getString("issuer")).isEqualTo(ISSUER);
        assertThat(principal.getString("organization")).isEqualTo("acme");
        assertThat(principal.getJsonArray("capabilities").getList()).containsExactlyInAnyOrder("pat:create", "llm:use");
    }

    @Test
    void keycloakAccessToken_isNormalizedToASession() {
        String token = sign(key, acme.accessToken("bob")
                .claim("org_id", "acme")
                .claim("groups", List.of("dev"))
                .claim("realm_access", Map.of("roles", List.of("gatehouse-user")))
                .build());

        HttpResponse<String> response = session(token);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonObject principal = new JsonObject(response.body());
        assertThat(principal.getString("type")).isEqualTo("session");
        assertThat(principal.getString("issuer")).isEqualTo(acme.issuer());
        assertThat(principal.getString("organization")).isEqualTo("acme");
        assertThat(principal.getJsonArray("groups").getList()).containsExactly("dev");
        assertThat(principal.getJsonArray("capabilities").getList()).containsExactly("pat:create");
        assertThat(response.body()).doesNotContain(token);
    }

    @Test
    void keycloakTokenForAnotherOrganization_401_organizationConflict() {
        HttpResponse<String> response = session(sign(key, acme.accessToken("mallory").claim("org_id", "globex").build()));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("organization_conflict");
    }

    @Test
    void unconfiguredIssuer_401_wrongIssuer() {
        HttpResponse<String> response = session(sign(key, acme.accessToken("eve")
                .issuer("http://127.0.0.1:1/realms/acme").claim("org_id", "acme").build()));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("wrong_issuer");
    }

    @Test
    void realmUnreachable_503_keysUnavailable() {
        HttpResponse<String> response = session(sign(key, globex.accessToken("carol").claim("org_id", "globex").build()));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("keys_unavailable");
    }

    private static HttpResponse<String> session(String token) {
        return get(gatehouse.localUrl().resolve("/auth/session"), "Authorization", "Bearer " + token);
    }
}
