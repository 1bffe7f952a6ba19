package dev.gatehouse.server.keycloak;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The FAPI 2.0 open-banking realm ({@code keycloak/fapi-realm.json}): realm {@value #REALM}, its
 * client policies bound to clients that have the client role {@value #CLIENT_ROLE}. It has no
 * placeholders: the file is imported as it is. Stateless and thread-safe.
 */
public final class FapiRealm {
    /** The realm name in the template. */
    public static final String REALM = "open-banking";
    /** The client role (defined on the TPP client itself) that puts a client under the FAPI 2.0 policies. */
    public static final String CLIENT_ROLE = "fapi-client";
    /** Classpath resource of the template (the repository's {@code keycloak/fapi-realm.json}). */
    static final String RESOURCE = "keycloak/fapi-realm.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private FapiRealm() {}

    /** The realm JSON, exactly as the template file has it; checked to be the {@value #REALM} realm. */
    public static String json() {
        String json = RealmTemplates.text(RESOURCE);
        JsonNode realm;
        try {
            realm = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(RESOURCE + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!REALM.equals(realm.path("realm").asText())) {
            throw new IllegalStateException(RESOURCE + ": realm is named \"" + realm.path("realm").asText()
                    + "\" (expected: \"" + REALM + "\")");
        }
        return json;
    }
}
