package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.JsonFields.number;
import static dev.gatehouse.server.config.JsonFields.optionalText;
import static dev.gatehouse.server.config.JsonFields.path;
import static dev.gatehouse.server.config.JsonFields.requireObject;
import static dev.gatehouse.server.config.JsonFields.requiredText;
import static dev.gatehouse.server.config.JsonFields.texts;
import static dev.gatehouse.server.config.JsonFields.url;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.server.byos.ByosProvider;
import dev.gatehouse.server.byos.ByosProvider.OAuth;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code byos.providers}: a JSON array (YAML: a list) of provider objects. The OAuth fields
 * ({@code authorizeUrl}, {@code tokenUrl}, {@code clientId}, ...) come together or not at all: a
 * provider without them connects by a pasted key only. Unknown fields are refused; messages name the
 * position and never quote a client secret (only where it is read from).
 */
final class ByosProvidersValue {
    private static final Set<String> FIELDS = Set.of("name", "authorizeUrl", "tokenUrl", "revocationUrl", "clientId",
            "clientSecretEnv", "clientSecretFile", "scopes", "redirectUri", "sandboxVariable", "apiCidrs", "apiPort");
    private static final List<String> OAUTH_REQUIRED = List.of("authorizeUrl", "tokenUrl", "clientId", "redirectUri");
    private static final List<String> OAUTH_OPTIONAL = List.of("revocationUrl", "clientSecretEnv", "clientSecretFile",
            "scopes");

    private ByosProvidersValue() {}

    static List<ByosProvider> parse(String text) {
        return JsonFields.list(text, "provider objects", ByosProvidersValue::provider);
    }

    static String format(List<ByosProvider> providers) {
        ArrayNode array = JsonFields.JSON.createArrayNode();
        for (ByosProvider provider : providers) {
            ObjectNode node = array.addObject().put("name", provider.name());
            provider.oauth().ifPresent(oauth -> {
                node.put("authorizeUrl", oauth.authorizeUrl().toString()).put("tokenUrl", oauth.tokenUrl().toString());
                oauth.revocationUrl().ifPresent(url -> node.put("revocationUrl", url.toString()));
                node.put("clientId", oauth.clientId());
                oauth.clientSecretEnv().ifPresent(env -> node.put("clientSecretEnv", env));
                oauth.clientSecretFile().ifPresent(file -> node.put("clientSecretFile", file.toString()));
                oauth.scopes().forEach(node.putArray("scopes")::add);
                node.put("redirectUri", oauth.redirectUri().toString());
            });
            node.put("sandboxVariable", provider.sandboxVariable());
            provider.apiCidrs().forEach(node.putArray("apiCidrs")::add);
            node.put("apiPort", provider.apiPort());
        }
        return array.toString();
    }

    private static ByosProvider provider(JsonNode node, String at) {
        requireObject(node, at, FIELDS, "{name, authorizeUrl, tokenUrl, clientId, redirectUri, sandboxVariable, ...}");
        try {
            return new ByosProvider(requiredText(node, at, "name"), oauth(node, at),
                    requiredText(node, at, "sandboxVariable"), texts(node, at, "apiCidrs", true, List.of()),
                    number(node, at, "apiPort", 443));
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw new IllegalArgumentException(message.startsWith("[") ? message : at + "." + message, e);
        }
    }

    private static Optional<OAuth> oauth(JsonNode node, String at) {
        boolean any = OAUTH_REQUIRED.stream().anyMatch(node::has) || OAUTH_OPTIONAL.stream().anyMatch(node::has);
        if (!any) {
            return Optional.empty();
        }
        for (String field : OAUTH_REQUIRED) {
            if (optionalText(node, at, field).isEmpty()) {
                throw new IllegalArgumentException(at + "." + field + ": missing (expected with an OAuth provider:"
                        + " authorizeUrl, tokenUrl, clientId and redirectUri; none of them for a pasted key only)");
            }
        }
        return Optional.of(new OAuth(
                url(requiredText(node, at, "authorizeUrl"), at + ".authorizeUrl"),
                url(requiredText(node, at, "tokenUrl"), at + ".tokenUrl"),
                optionalText(node, at, "revocationUrl").map(text -> url(text, at + ".revocationUrl")),
                requiredText(node, at, "clientId"),
                optionalText(node, at, "clientSecretEnv"),
                optionalText(node, at, "clientSecretFile").map(file -> path(file, at + ".clientSecretFile")),
                texts(node, at, "scopes", true, List.of()),
                url(requiredText(node, at, "redirectUri"), at + ".redirectUri")));
    }
}
