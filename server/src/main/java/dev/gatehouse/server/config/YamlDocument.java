package dev.gatehouse.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a YAML configuration file into nested maps ({@code Map<String, Object>}), lists and scalars.
 * Scalars are kept as the exact text written ({@code 0755} stays {@code "0755"}, not 493); null
 * and empty scalars become {@code ""}. Duplicate keys and aliases are refused.
 */
final class YamlDocument {
    private static final YAMLFactory FACTORY =
            YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private YamlDocument() {}

    /** @throws ConfigException with exactly one problem naming the file */
    static Map<String, Object> read(Path file) {
        try (Reader reader = Files.newBufferedReader(file);
                JsonParser parser = FACTORY.createParser(reader)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return Map.of();
            }
            if (first != JsonToken.START_OBJECT) {
                throw problem(file + ": expected a mapping of keys at the top level");
            }
            Object root = value(parser, file);
            if (parser.nextToken() != null) {
                throw problem(file + ": expected one YAML document, found more");
            }
            @SuppressWarnings("unchecked") // a START_OBJECT reads as a map
            Map<String, Object> map = (Map<String, Object>) root;
            return map;
        } catch (JsonProcessingException e) {
            throw problem(file + ": invalid YAML" + syntaxError(e));
        } catch (IOException e) {
            throw problem(file + ": cannot read (" + Problems.reason(e) + ")");
        }
    }

    private static Object value(JsonParser parser, Path file) throws IOException {
        if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            throw problem(file + ": invalid YAML at " + position(parser.currentLocation())
                    + ": aliases (*name) are not supported");
        }
        return switch (parser.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    map.put(name, value(parser, file));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(parser, file));
                }
                yield list;
            }
            case VALUE_NULL -> "";
            default -> parser.getText();
        };
    }

    /**
     * Line, column and SnakeYAML's description of the problem, but not the excerpt of the offending
     * line that its message carries: that line could hold a secret.
     */
    private static String syntaxError(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            String context = marked.getContext() == null || marked.getContextMark() == null
                    ? ""
                    : " (" + marked.getContext() + " at " + position(marked.getContextMark()) + ")";
            return " at " + position(marked.getProblemMark()) + ": " + marked.getProblem() + context;
        }
        String where = e.getLocation() == null ? "" : " at " + position(e.getLocation());
        return where + ": " + e.getOriginalMessage().lines().findFirst().orElse("");
    }

    private static String position(Mark mark) {
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    private static String position(JsonLocation location) {
        return "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static ConfigException problem(String message) {
        return new ConfigException(List.of(message));
    }
}
