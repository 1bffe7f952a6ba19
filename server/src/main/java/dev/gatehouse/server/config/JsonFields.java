package dev.gatehouse.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Reading the fields of structured (JSON) configuration values such as {@code gateway.channels} and
 * {@code sandbox.profiles}. Every message starts with the position within the value ({@code [2].baseUrl})
 * or {@code ": "}, and quotes no value that could be a secret. Stateless.
 */
final class JsonFields {
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonFields() {}

    /** The array {@code text} holds; {@code items} names its items for messages ({@code channel objects}). */
    /**
     * A JSON array of objects, each read by {@code element} with its position ({@code [0]}, ...) for
     * messages.
     */
    static <T> List<T> list(String text, String items, BiFunction<JsonNode, String, T> element) {
        JsonNode root = array(text, items);
        List<T> elements = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            elements.add(element.apply(root.get(i), "[" + i + "]"));
        }
        return List.copyOf(elements);
    }

    private static JsonNode array(String text, String items) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(": not valid JSON" + (e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr())
                    + " (expected: a list of " + items + ")");
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException(": not a list (expected: a list of " + items + ")");
        }
        return root;
    }

    /** Refuses a node that is not an object, or has a field not in {@code fields}. */
    static void requireObject(JsonNode node, String at, Set<String> fields, String shape) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(at + ": not an object (expected: " + shape + ")");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw new IllegalArgumentException(at + "." + name + ": unknown field" + DidYouMean.suggest(name, fields)
                        .map(suggestion -> " (did you mean " + suggestion + "?)").orElse(""));
            }
        }
    }

    static String requiredText(JsonNode node, String at, String field) {
        return optionalText(node, at, field).orElseThrow(() ->
                new IllegalArgumentException(at + "." + field + ": missing (expected: text)"));
    }

    /** Text, stripped; absent, null and blank are empty. */
    static Optional<String> optionalText(JsonNode node, String at, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || value.isTextual() && value.textValue().isBlank()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(at + "." + field + ": " + value.getNodeType().name().toLowerCase(Locale.ROOT)
                    + " (expected: text)");
        }
        return Optional.of(value.textValue().strip());
    }

    /**
     * A list of text items, stripped; with {@code commaText}, one comma-separated text is accepted
     * too. Absent: {@code absent}, or a problem when that is null.
     */
    static List<String> texts(JsonNode node, String at, String field, boolean commaText, List<String> absent) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (absent == null) {
                throw new IllegalArgumentException(at + "." + field + ": missing (expected: a list of text)");
            }
            return absent;
        }
        List<String> items = new ArrayList<>();
        if (commaText && value.isTextual()) {
            for (String item : value.textValue().split(",")) {
                if (!item.isBlank()) {
                    items.add(item.strip());
                }
            }
            return items;
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException(at + "." + field + ": not a list (expected: a list of text)");
        }
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual()) {
                throw new IllegalArgumentException(at + "." + field + "[" + i + "]: not text (expected: text)");
            }
            items.add(value.get(i).textValue().strip());
        }
        return items;
    }

    /** A whole number, written as a number or as numeric text; absent: {@code defaultValue}. */
    static int number(JsonNode node, String at, String field, int defaultValue) {
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

    /** {@code true} or {@code false}, as a boolean or as text (YAML scalars arrive as text); absent: {@code defaultValue}. */
    static boolean bool(JsonNode node, String at, String field, boolean defaultValue) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        String text = value.isTextual() ? value.textValue().strip() : "";
        if (text.equals("true") || text.equals("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new IllegalArgumentException(at + "." + field + ": " + value + " (expected: true or false)");
    }

    /** A decimal number, written as a number or as numeric text; required. */
    static BigDecimal decimal(JsonNode node, String at, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException(at + "." + field + ": missing (expected: a number)");
        }
        if (value.isNumber()) {
            return value.decimalValue();
        }
        if (value.isTextual()) {
            try {
                return new BigDecimal(value.textValue().strip());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException(at + "." + field + ": " + value + " (expected: a number)");
    }

    /** {@code text} as a URI with a server authority; the message at {@code at} shows it without control characters. */
    static URI url(String text, String at) {
        try {
            return new URI(text).parseServerAuthority();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(at + ": \"" + text.replaceAll("[\\p{Cntrl}\"]", "?")
                    + "\" (expected: http or https URL)");
        }
    }

    /** {@code text} as an absolute, normalized path. */
    static Path path(String text, String at) {
        try {
            return Path.of(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(at + ": not a path (expected: file system path)");
        }
    }
}
