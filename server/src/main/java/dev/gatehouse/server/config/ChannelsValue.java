package dev.gatehouse.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.server.gateway.ChannelConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code gateway.channels}: a JSON array (YAML: a list) of channel objects. Numbers may be written as
 * numbers or as numeric text (YAML scalars arrive as text); {@code models} may be an array or a
 * comma-separated text. Unknown fields are refused. Messages name the position ({@code [2].baseUrl})
 * and quote no API key (the value holds only where a key is, never the key).
 */
final class ChannelsValue {
    private static final Set<String> FIELDS =
            Set.of("name", "provider", "baseUrl", "apiKeyFile", "apiKeyEnv", "models", "weight", "priority", "probePath");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ChannelsValue() {}

    static List<ChannelConfig> parse(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(": not valid JSON" + (e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr())
                    + " (expected: a list of channel objects)");
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException(": not a list (expected: a list of channel objects)");
        }
        List<ChannelConfig> channels = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            channels.add(channel(root.get(i), "[" + i + "]"));
        }
        return List.copyOf(channels);
    }

    static String format(List<ChannelConfig> channels) {
        ArrayNode array = JSON.createArrayNode();
        for (ChannelConfig channel : channels) {
            ObjectNode node = array.addObject()
                    .put("name", channel.name())
                    .put("provider", channel.provider())
                    .put("baseUrl", channel.baseUrl().toString());
            channel.apiKeyFile().ifPresent(file -> node.put("apiKeyFile", file.toString()));
            channel.apiKeyEnv().ifPresent(env -> node.put("apiKeyEnv", env));
            channel.models().forEach(node.putArray("models")::add);
            node.put("weight", channel.weight()).put("priority", channel.priority()).put("probePath", channel.probePath());
        }
        return array.toString();
    }

    private static ChannelConfig channel(JsonNode node, String at) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(at + ": not an object (expected: {name, provider, baseUrl, ...})");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException(at + "." + name + ": unknown field" + DidYouMean.suggest(name, FIELDS)
                        .map(suggestion -> " (did you mean " + suggestion + "?)").orElse(""));
            }
        }
        String name = requiredText(node, at, "name");
        try {
            return new ChannelConfig(
                    name,
                    requiredText(node, at, "provider"),
                    url(requiredText(node, at, "baseUrl"), at + ".baseUrl"),
                    optionalText(node, at, "apiKeyFile").map(file -> path(file, at + ".apiKeyFile")),
                    optionalText(node, at, "apiKeyEnv"),
                    models(node, at),
                    number(node, at, "weight", ChannelConfig.DEFAULT_WEIGHT),
                    number(node, at, "priority", ChannelConfig.DEFAULT_PRIORITY),
                    optionalText(node, at, "probePath").orElse(ChannelConfig.DEFAULT_PROBE_PATH));
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw new IllegalArgumentException(message.startsWith("[") ? message : at + "." + message, e);
        }
    }

    private static String requiredText(JsonNode node, String at, String field) {
        return optionalText(node, at, field).orElseThrow(() ->
                new IllegalArgumentException(at + "." + field + ": missing (expected: text)"));
    }

    private static Optional<String> optionalText(JsonNode node, String at, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || value.isTextual() && value.textValue().isBlank()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(at + "." + field + ": " + value.getNodeType().name().toLowerCase()
                    + " (expected: text)");
        }
        return Optional.of(value.textValue().strip());
    }

    private static List<String> models(JsonNode node, String at) {
        JsonNode value = node.get("models");
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException(at + ".models: missing (expected: a list of model names)");
        }
        List<String> models = new ArrayList<>();
        if (value.isTextual()) {
            for (String item : value.textValue().split(",")) {
                if (!item.isBlank()) {
                    models.add(item.strip());
                }
            }
            return models;
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException(at + ".models: not a list (expected: a list of model names)");
        }
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual()) {
                throw new IllegalArgumentException(at + ".models[" + i + "]: not text (expected: a model name)");
            }
            models.add(value.get(i).textValue().strip());
        }
        return models;
    }

    private static int number(JsonNode node, String at, String field, int defaultValue) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        if (value.isInt()) {
            return value.intValue();
        }
        if (value.isTextual()) {
            try {
                return Integer.parseInt(value.textValue().strip());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException(at + "." + field + ": " + value + " (expected: a whole number)");
    }

    private static URI url(String text, String at) {
        try {
            return new URI(text).parseServerAuthority();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(at + ": \"" + text.replaceAll("[\\p{Cntrl}\"]", "?")
                    + "\" (expected: http or https URL)");
        }
    }

    private static Path path(String text, String at) {
        try {
            return Path.of(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(at + ": not a path (expected: file system path)");
        }
    }
}
