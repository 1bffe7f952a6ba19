package dev.gatehouse.server.keycloak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The FAPI realm template and the TPP registration example, as files (FapiRealmOnKeycloakTest runs them). */
class FapiRealmTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void policy_bindsTheFapi2DpopProfilesAndJarm_toTheClientRole() throws Exception {
        JsonNode realm = JSON.readTree(FapiRealm.json());

        JsonNode policies = realm.path("clientPolicies").path("policies");
        assertThat(policies).hasSize(1);
        JsonNode policy = policies.get(0);
        assertThat(policy.path("enabled").asBoolean()).isTrue();
        assertThat(policy.path("conditions")).hasSize(1);
        assertThat(policy.path("conditions").get(0).path("condition").asText()).isEqualTo("client-roles");
        assertThat(texts(policy.path("conditions").get(0).path("configuration").path("roles")))
                .containsExactly(FapiRealm.CLIENT_ROLE);
        assertThat(texts(policy.path("profiles")))
                .containsExactly("fapi-2-dpop-security-profile", "fapi-2-dpop-message-signing", "open-banking-jarm");
        JsonNode jarm = realm.path("clientProfiles").path("profiles").get(0);
        assertThat(jarm.path("name").asText()).isEqualTo("open-banking-jarm");
        assertThat(jarm.path("executors").get(0).path("executor").asText()).isEqualTo("secure-response-type");
        assertThat(jarm.path("executors").get(0).path("configuration").path("allow-token-response-type").asText())
                .isEqualTo("false");
    }

    @Test
    void realm_isStrictByDefault_andCarriesNoAttributeKeycloakIgnores() throws Exception {
        String text = FapiRealm.json();
        JsonNode realm = JSON.readTree(text);

        assertThat(realm.path("sslRequired").asText()).isEqualTo("all");
        assertThat(realm.path("defaultSignatureAlgorithm").asText()).isEqualTo("PS256");
        assertThat(realm.path("bruteForceProtected").asBoolean()).isTrue();
        assertThat(realm.path("registrationAllowed").asBoolean()).isFalse();
        assertThat(realm.has("users")).isFalse();
        assertThat(realm.has("clients")).as("TPPs are registered after import").isFalse();
        assertThat(realm.path("attributes").has("require.pushed.authorization.requests")).isFalse();
        assertThat(realm.path("attributes").has("pkce.required")).isFalse();
        assertThat(realm.path("attributes").has("fapi.compliance.mode")).isFalse();
        assertThat(text).doesNotContainPattern("\\$\\{[A-Z][A-Z0-9_]*}").doesNotContain("\"secret\"");
    }

    @Test
    void registrationExample_bindsThePolicy_withAPublicKeyOnly() throws Exception {
        JsonNode registration = JSON.readTree(Files.readString(FapiTpp.REGISTRATION_EXAMPLE));
        JsonNode client = registration.path("clients").get(0);
        String clientId = client.path("clientId").asText();

        JsonNode roles = registration.path("roles").path("client").path(clientId);
        assertThat(roles).hasSize(1);
        assertThat(roles.get(0).path("name").asText()).isEqualTo(FapiRealm.CLIENT_ROLE);
        assertThat(client.path("clientAuthenticatorType").asText()).isEqualTo("client-jwt");
        assertThat(client.path("publicClient").asBoolean()).isFalse();
        assertThat(client.path("consentRequired").asBoolean()).isTrue();
        assertThat(client.path("redirectUris").get(0).asText()).startsWith("https://");
        JsonNode attributes = client.path("attributes");
        assertThat(attributes.path("require.pushed.authorization.requests").asText()).isEqualTo("true");
        assertThat(attributes.path("dpop.bound.access.tokens").asText()).isEqualTo("true");
        assertThat(attributes.path("authorization.signed.response.alg").asText()).isEqualTo("PS256");
        JsonNode key = JSON.readTree(attributes.path("jwks.string").asText()).path("keys").get(0);
        assertThat(key.path("kty").asText()).isEqualTo("RSA");
        assertThat(key.has("d")).as("the example publishes the TPP's public key only").isFalse();
        assertThat(client.has("secret")).isFalse();
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
