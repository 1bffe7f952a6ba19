package dev.gatehouse.server.http;

import static dev.gatehouse.server.http.Shown.quote;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Strict reading of a JSON request body of the auth and sandbox APIs: exactly one object, no
 * duplicate, unknown or trailing content; every refusal a 400 ({@code malformed_json},
 * {@code unknown_field}) that quotes the input only through {@link Shown}. Stateless.
 */
public final class JsonBody {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private JsonBody() {}

    /**
     * The body as one JSON object whose fields are all among {@code fields}.
     *
     * @param example a valid body, quoted in the messages ({@code {"name": "ci"}})
     * @throws ApiException 400 {@code malformed_json} or {@code unknown_field}
     */
    public static JsonNode object(byte[] body, String example, List<String> fields) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw ApiException.badRequest("malformed_json", "The body is not valid JSON" + where
                    + " (expected: a JSON object such as " + example + ").");
        } catch (IOException e) {
            throw ApiException.badRequest("malformed_json", "The body cannot be read as JSON.");
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw ApiException.badRequest("malformed_json", "The body must be one JSON object (expected: " + example + ").");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!fields.contains(field)) {
                throw ApiException.badRequest("unknown_field",
                        "Unknown field " + quote(field) + " (expected only: " + String.join(", ", fields) + ").");
            }
        }
        return root;
    }

    /** The JSON type of {@code node}, for messages: {@code number}, {@code array}, ... */
    public static String type(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
