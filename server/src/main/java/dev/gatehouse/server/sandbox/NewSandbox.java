package dev.gatehouse.server.sandbox;

import static dev.gatehouse.server.http.Shown.quote;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.JsonBody;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A validated {@code POST /api/v1/sandbox/sessions} body: {@code {"name"?, "profile"?, "model"?}}, all
 * optional (an empty body is {@code {}}). Parsing is strict; whether the profile exists and the model
 * is served is decided by {@link Sandboxes#create}.
 *
 * @param name the owner's label, 1..{@value #MAX_NAME_LENGTH} printable characters
 * @param profile the profile to start from; {@value SandboxProfile#DEFAULT} when not given
 * @param model the default model the runtime is given, overriding the profile's
 */
public record NewSandbox(Optional<String> name, String profile, Optional<String> model) {
    static final int MAX_NAME_LENGTH = 64;
    static final int MAX_MODEL_LENGTH = 256;
    private static final List<String> FIELDS = List.of("name", "profile", "model");
    private static final String EXAMPLE = "{\"name\": \"review-bot\", \"profile\": \"default\"}";
    private static final Pattern PRINTABLE = Pattern.compile("[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}\\p{Zs}]+");
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]+");

    public NewSandbox {
        requireNonNull(name, "name");
        requireNonNull(profile, "profile");
        requireNonNull(model, "model");
    }

    /** @throws ApiException 400 {@code malformed_json}, {@code unknown_field} or {@code invalid_field} */
    public static NewSandbox parse(byte[] body) {
        if (body.length == 0) {
            return new NewSandbox(Optional.empty(), SandboxProfile.DEFAULT, Optional.empty());
        }
        JsonNode root = JsonBody.object(body, EXAMPLE, FIELDS);
        return new NewSandbox(
                text(root.get("name"), "name", MAX_NAME_LENGTH, PRINTABLE, "printable characters"),
                text(root.get("profile"), "profile", 63, TOKEN, "a profile name").orElse(SandboxProfile.DEFAULT),
                text(root.get("model"), "model", MAX_MODEL_LENGTH, TOKEN, "printable characters without spaces"));
    }

    private static Optional<String> text(JsonNode node, String field, int maxLength, Pattern form, String what) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        String expected = " (expected: 1.." + maxLength + " " + what + ")";
        if (!node.isTextual()) {
            throw ApiException.badRequest("invalid_field", field + ": " + JsonBody.type(node) + expected);
        }
        String value = node.textValue();
        int length = value.codePointCount(0, value.length());
        if (length < 1 || length > maxLength || value.isBlank() || !form.matcher(value).matches()) {
            throw ApiException.badRequest("invalid_field", field + ": " + quote(value) + expected);
        }
        return Optional.of(value);
    }
}
