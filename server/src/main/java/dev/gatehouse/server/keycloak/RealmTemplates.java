package dev.gatehouse.server.keycloak;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.server.identity.Topology;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the realm templates of {@code keycloak/} into realm JSON that {@code kc.sh import},
 * {@code --import-realm}, the admin console or {@code POST /admin/realms} accept.
 *
 * <p>Placeholders are {@code ${ORG}}, {@code ${REALM}}, {@code ${DISPLAY_NAME}} and
 * {@code ${REDIRECT_URI}}; their values are JSON-escaped. Keycloak's own message keys in the
 * templates (lower case, such as {@code ${username}}) are left alone. Stateless and thread-safe.
 */
public final class RealmTemplates {
    /** Our placeholders are upper case; Keycloak's message keys are not. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private RealmTemplates() {}

    /** The realm JSON for {@code parameters}, as the template lays it out. */
    public static String render(RealmParameters parameters) {
        String template = template(parameters.topology());
        Map<String, String> values = Map.of(
                "ORG", parameters.organization(),
                "REALM", parameters.realm(),
                "DISPLAY_NAME", parameters.displayName(),
                "REDIRECT_URI", parameters.redirectUri());
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder rendered = new StringBuilder(template.length());
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (value == null) {
                throw new IllegalStateException(resource(parameters.topology())
                        + ": unknown placeholder " + matcher.group());
            }
            matcher.appendReplacement(rendered, Matcher.quoteReplacement(jsonEscaped(value)));
        }
        matcher.appendTail(rendered);
        String json = rendered.toString();
        requireRealm(json, parameters);
        return json;
    }

    /** The classpath resource of {@code topology}'s realm template (the repository's {@code keycloak/} directory). */
    static String resource(Topology topology) {
        return "keycloak/" + topology.configName() + "-realm.json";
    }

    /** The unrendered template text of {@code topology}. */
    public static String template(Topology topology) {
        return text(resource(topology));
    }

    /** The text of a classpath resource packaged from {@code keycloak/}. */
    static String text(String resource) {
        try (InputStream in = RealmTemplates.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + ": not on the classpath (the server jar is incomplete)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(resource + ": " + e.getMessage(), e);
        }
    }

    private static String jsonEscaped(String value) {
        return new String(JsonStringEncoder.getInstance().quoteAsString(value));
    }

    /** A template that renders into invalid JSON or another realm is a bug of ours: fail here, not at import. */
    private static void requireRealm(String json, RealmParameters parameters) {
        JsonNode realm;
        try {
            realm = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(resource(parameters.topology())
                    + ": rendered realm is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!parameters.realm().equals(realm.path("realm").asText())) {
            throw new IllegalStateException(resource(parameters.topology())
                    + ": rendered realm is named \"" + realm.path("realm").asText()
                    + "\" (expected: \"" + parameters.realm() + "\")");
        }
    }
}
