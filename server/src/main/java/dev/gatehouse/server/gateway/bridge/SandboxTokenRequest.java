package dev.gatehouse.server.gateway.bridge;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code POST /admin/tokens/sandbox}: {@code {org_id, user_id, sandbox_id,
 * allowed_channels[], allowed_models[]?}}, parsed strictly (one JSON object, no duplicate or unknown fields, strings
 * where strings are expected). Channel names are stripped, empty ones scrubbed and duplicates
 * dropped (first occurrence wins); an empty result is refused, since an empty list must never mean
 * "no restriction". {@code allowed_models} is optional and cleaned the same way; given, it must
 * name at least one model. Immutable.
 *
 * @param organization {@code org_id}, becomes claim {@code org}
 * @param user {@code user_id}, becomes claim {@code user}
 * @param sandbox {@code sandbox_id}, becomes claim {@code sub}
 * @param channels the cleaned {@code allowed_channels}, becomes claim {@code channels}; never empty
 * @param models the cleaned {@code allowed_models}, becomes claim {@code allowed_models}; empty when
 *     not given (no restriction by model)
 */
public record SandboxTokenRequest(String organization, String user, String sandbox, List<String> channels,
        List<String> models) {
    /** Longest accepted value of any field or channel name, in characters. */
    public static final int MAX_VALUE_CHARS = 256;
    /** Most channels one token may name. */
    public static final int MAX_CHANNELS = 64;
    /** Most models one token may name. */
    public static final int MAX_MODELS = 64;

    private static final Set<String> FIELDS = Set.of("org_id", "user_id", "sandbox_id", "allowed_channels",
            "allowed_models");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonParser.Feature.ALLOW_COMMENTS)
            .build();

    public SandboxTokenRequest {
        requireNonNull(organization, "organization");
        requireNonNull(user, "user");
        requireNonNull(sandbox, "sandbox");
        channels = List.copyOf(channels);
        models = List.copyOf(models);
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("channels: [] (expected: at least one channel)");
        }
    }

    /** A request without a model allow-list, the seed's four fields. */
    public SandboxTokenRequest(String organization, String user, String sandbox, List<String> channels) {
        this(organization, user, sandbox, channels, List.of());
    }

    /**
     * @throws InvalidRequestException naming the first problem found; the message quotes no input
     *     beyond field names
     */
    public static SandboxTokenRequest parse(byte[] body) throws InvalidRequestException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("malformed_json", "The body is not valid JSON"
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")") + ".");
        } catch (IOException e) {
            throw new InvalidRequestException("malformed_json", "The body is not valid JSON.");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidRequestException("invalid_request", "The body must be a JSON object.");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (!FIELDS.contains(name)) {
                throw new InvalidRequestException("unknown_field", "Unknown field " + shown(name)
                        + " (expected: org_id, user_id, sandbox_id, allowed_channels, allowed_models).");
            }
        }
        String organization = requiredString(root, "org_id");
        String user = requiredString(root, "user_id");
        String sandbox = requiredString(root, "sandbox_id");
        JsonNode channelsNode = root.get("allowed_channels");
        if (channelsNode == null || channelsNode.isNull()) {
            throw new InvalidRequestException("missing_field", "allowed_channels is required.");
        }
        List<String> channels = names(channelsNode, "allowed_channels", MAX_CHANNELS);
        if (channels.isEmpty()) {
            throw new InvalidRequestException("no_channels", "allowed_channels names no channel (empty names are"
                    + " ignored; an empty list would mean no restriction and is refused).");
        }
        JsonNode modelsNode = root.get("allowed_models");
        List<String> models = modelsNode == null || modelsNode.isNull() ? List.of()
                : names(modelsNode, "allowed_models", MAX_MODELS);
        if (modelsNode != null && !modelsNode.isNull() && models.isEmpty()) {
            throw new InvalidRequestException("no_models", "allowed_models names no model (empty names are ignored;"
                    + " leave the field out for no restriction by model).");
        }
        return new SandboxTokenRequest(organization, user, sandbox, channels, models);
    }

    /** An array of names: stripped, empty ones scrubbed, duplicates dropped (first wins), at most {@code max}. */
    private static List<String> names(JsonNode node, String field, int max) throws InvalidRequestException {
        if (!node.isArray()) {
            throw new InvalidRequestException("invalid_field", field + " must be an array of strings.");
        }
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                throw new InvalidRequestException("invalid_field", field + "[" + i + "] must be a string.");
            }
            String name = item.textValue().strip();
            if (name.isEmpty()) {
                continue;
            }
            checkLength(field + "[" + i + "]", name);
            names.add(name);
        }
        if (names.size() > max) {
            throw new InvalidRequestException("invalid_field",
                    field + ": " + names.size() + " names (expected: <= " + max + ").");
        }
        return new ArrayList<>(names);

    }

    private static String requiredString(JsonNode root, String field) throws InvalidRequestException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new InvalidRequestException("missing_field", field + " is required.");
        }
        if (!node.isTextual()) {
            throw new InvalidRequestException("invalid_field", field + " must be a string.");
        }
        String value = node.textValue().strip();
        if (value.isEmpty()) {
            throw new InvalidRequestException("missing_field", field + " must not be empty.");
        }
        checkLength(field, value);
        return value;
    }

    private static void checkLength(String field, String value) throws InvalidRequestException {
        if (value.length() > MAX_VALUE_CHARS) {
            throw new InvalidRequestException("invalid_field",
                    field + ": " + value.length() + " characters (expected: <= " + MAX_VALUE_CHARS + ").");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidRequestException("invalid_field", field + " must not contain control characters.");
        }
    }

    private static String shown(String name) {
        String cut = name.length() > 40 ? name.substring(0, 40) + "..." : name;
        return '"' + cut.replaceAll("[\\p{Cntrl}\"\\\\]", "?") + '"';
    }

    /** A refused body: a stable code and a message safe to show. */
    public static final class InvalidRequestException extends Exception {
        private final String code;

        InvalidRequestException(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }
}
