package dev.gatehouse.server.pat;

import static dev.gatehouse.server.http.Shown.quote;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.server.units.Quantities;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.JsonBody;
import dev.gatehouse.server.http.Shown;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated {@code POST /auth/pat} body: {@code {"name", "ttl"?, "audience"?, "capabilities"?,
 * "allowed_models"?}}.
 * Parsing is strict: exactly one JSON object, no unknown or duplicate fields, each field of its
 * type; every refusal is a 400 naming the field and the expected form.
 *
 * @param name the owner's label, 1..{@value #MAX_NAME_LENGTH} printable characters
 * @param ttl the lifetime, {@code pat.defaultTtl} when not given, at most {@code pat.maxTtl}
 * @param audience one of {@code pat.audiences}, the first when not given
 * @param capabilities the capabilities asked for (empty when not given), without duplicates
 * @param allowedModels the only models the token may ask the gateway for, in the order given without
 *     duplicates; empty when not given (no restriction by model)
 */
public record NewPat(String name, Duration ttl, String audience, Set<String> capabilities, List<String> allowedModels) {
    static final int MAX_NAME_LENGTH = 100;
    static final int MAX_CAPABILITY_LENGTH = 200;
    static final int MAX_CAPABILITIES = 100;
    static final int MAX_MODELS = 64;
    private static final List<String> FIELDS = List.of("name", "ttl", "audience", "capabilities", "allowed_models");
    private static final String TTL_FORM =
            "a positive duration such as \"7d\", \"12h\", \"30m\", \"3600s\", or whole seconds as a number";
    private static final Pattern PRINTABLE = Pattern.compile("[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}\\p{Zs}]+");
    private static final Pattern CAPABILITY = Pattern.compile("[\\x21-\\x7e]+");

    public NewPat {
        requireNonNull(name, "name");
        requireNonNull(ttl, "ttl");
        requireNonNull(audience, "audience");
        capabilities = Set.copyOf(capabilities);
        allowedModels = List.copyOf(allowedModels);
    }

    /**
     * @throws ApiException 400 {@code malformed_json}, {@code unknown_field}, {@code invalid_field},
     *     {@code ttl_too_long} or {@code unknown_audience}
     */
    static NewPat parse(byte[] body, PatConfig config) {
        JsonNode root = JsonBody.object(body, "{\"name\": \"ci\", \"ttl\": \"7d\"}", FIELDS);
        return new NewPat(name(root.get("name")), ttl(root.get("ttl"), config), audience(root.get("audience"), config),
                capabilities(root.get("capabilities")), allowedModels(root.get("allowed_models")));
    }

    private static String name(JsonNode node) {
        String expected = " (expected: 1.." + MAX_NAME_LENGTH + " printable characters)";
        if (node == null || node.isNull()) {
            throw invalid("name: missing" + expected);
        }
        if (!node.isTextual()) {
            throw invalid("name: " + JsonBody.type(node) + expected);
        }
        String name = node.textValue();
        int length = name.codePointCount(0, name.length());
        if (length < 1 || length > MAX_NAME_LENGTH || name.isBlank() || !PRINTABLE.matcher(name).matches()) {
            throw invalid("name: " + quote(name) + " (" + length + " characters)" + expected);
        }
        return name;
    }

    private static Duration ttl(JsonNode node, PatConfig config) {
        if (node == null || node.isNull()) {
            return config.defaultTtl();
        }
        String given;
        Duration ttl;
        if (node.isIntegralNumber()) {
            given = node.asText();
            ttl = node.canConvertToLong() && node.longValue() > 0 ? Duration.ofSeconds(node.longValue()) : null;
        } else if (node.isTextual()) {
            given = node.textValue();
            ttl = parseTtl(given.strip());
        } else {
            throw invalid("ttl: " + (node.isNumber() ? node.asText() : JsonBody.type(node))
                    + " (expected: " + TTL_FORM + ")");
        }
        if (ttl == null) {
            throw invalid("ttl: " + (node.isTextual() ? quote(given) : given) + " (expected: " + TTL_FORM + ")");
        }
        if (ttl.compareTo(config.maxTtl()) > 0) {
            throw ApiException.badRequest("ttl_too_long",
                    "ttl: " + Shown.text(given) + " (expected: at most " + Quantities.formatDuration(config.maxTtl()) + ")");
        }
        return ttl;
    }

    /** What {@link Quantities#parseTtl} reads; null unless a positive duration. */
    static Duration parseTtl(String text) {
        try {
            return Quantities.parseTtl(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String audience(JsonNode node, PatConfig config) {
        if (node == null || node.isNull()) {
            return config.audiences().getFirst();
        }
        String allowed = String.join(", ", config.audiences());
        if (!node.isTextual()) {
            throw invalid("audience: " + JsonBody.type(node) + " (expected one of: " + allowed + ")");
        }
        if (!config.audiences().contains(node.textValue())) {
            throw ApiException.badRequest("unknown_audience",
                    "audience: " + quote(node.textValue()) + " (expected one of: " + allowed + ")");
        }
        return node.textValue();
    }

    private static Set<String> capabilities(JsonNode node) {
        String expected = " (expected: an array of at most " + MAX_CAPABILITIES + " capability names)";
        if (node == null || node.isNull()) {
            return Set.of();
        }
        if (!node.isArray() || node.size() > MAX_CAPABILITIES) {
            throw invalid("capabilities: " + (node.isArray() ? node.size() + " entries" : JsonBody.type(node)) + expected);
        }
        Set<String> capabilities = new LinkedHashSet<>();
        List<JsonNode> entries = new ArrayList<>();
        node.forEach(entries::add);
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            if (!entry.isTextual() || entry.textValue().length() > MAX_CAPABILITY_LENGTH
                    || !CAPABILITY.matcher(entry.textValue()).matches()) {
                throw invalid("capabilities[" + i + "]: " + (entry.isTextual() ? quote(entry.textValue())
                        : JsonBody.type(entry))
                        + " (expected: 1.." + MAX_CAPABILITY_LENGTH + " printable characters without spaces)");
            }
            capabilities.add(entry.textValue());
        }
        return capabilities;
    }

    /** Absent or null: no restriction; otherwise 1..{@value #MAX_MODELS} model names (an empty list would read as none). */
    private static List<String> allowedModels(JsonNode node) {
        String expected = " (expected: an array of 1.." + MAX_MODELS + " model names, or no field for any model)";
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray() || node.isEmpty() || node.size() > MAX_MODELS) {
            throw invalid("allowed_models: " + (node.isArray() ? node.size() + " entries" : JsonBody.type(node)) + expected);
        }
        Set<String> models = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode entry = node.get(i);
            if (!entry.isTextual() || entry.textValue().isBlank() || entry.textValue().length() > MAX_CAPABILITY_LENGTH
                    || !CAPABILITY.matcher(entry.textValue()).matches()) {
                throw invalid("allowed_models[" + i + "]: " + (entry.isTextual() ? quote(entry.textValue())
                        : JsonBody.type(entry)) + " (expected: 1.." + MAX_CAPABILITY_LENGTH
                        + " printable characters without spaces)");
            }
            models.add(entry.textValue());
        }
        return List.copyOf(models);
    }

    private static ApiException invalid(String message) {
        return ApiException.badRequest("invalid_field", message);
    }
}
