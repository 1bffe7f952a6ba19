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
 * A validated {@code POST /api/v1/sandbox/sessions} body: {@code {"name"?, "profile"?, "model"?,
 * "mode"?, "provider"?}}, all optional (an empty body is {@code {}}) but {@code provider}, which
 * {@code "mode": "byos"} needs. Parsing is strict; whether the profile exists, the model is served
 * and the subscription is connected is decided by {@link Sandboxes#create}.
 *
 * @param name the owner's label, 1..{@value #MAX_NAME_LENGTH} printable characters
 * @param profile the profile to start from; {@value SandboxProfile#DEFAULT} when not given
 * @param model the default model the runtime is given, overriding the profile's
 * @param provider BYOS mode: the provider whose subscription of the owner the sandbox uses instead
 *     of the gateway; empty: gateway mode
 */
public record NewSandbox(Optional<String> name, String profile, Optional<String> model, Optional<String> provider) {
    static final String GATEWAY = "gateway";
    static final String BYOS = "byos";
    static final int MAX_NAME_LENGTH = 64;
    static final int MAX_MODEL_LENGTH = 256;
    private static final List<String> FIELDS = List.of("name", "profile", "model", "mode", "provider");
    private static final String EXAMPLE = "{\"name\": \"review-bot\", \"profile\": \"default\"}";
    private static final Pattern PRINTABLE = Pattern.compile("[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}\\p{Zs}]+");
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]+");

    public NewSandbox {
        requireNonNull(name, "name");
        requireNonNull(profile, "profile");
        requireNonNull(model, "model");
        requireNonNull(provider, "provider");
    }

    /** @throws ApiException 400 {@code malformed_json}, {@code unknown_field} or {@code invalid_field} */
    public static NewSandbox parse(byte[] body) {
        if (body.length == 0) {
            return new NewSandbox(Optional.empty(), SandboxProfile.DEFAULT, Optional.empty(), Optional.empty());
        }
        JsonNode root = JsonBody.object(body, EXAMPLE, FIELDS);
        return new NewSandbox(
                text(root.get("name"), "name", MAX_NAME_LENGTH, PRINTABLE, "printable characters"),
                text(root.get("profile"), "profile", 63, TOKEN, "a profile name").orElse(SandboxProfile.DEFAULT),
                text(root.get("model"), "model", MAX_MODEL_LENGTH, TOKEN, "printable characters without spaces"),
                provider(root));
    }

    private static Optional<String> provider(JsonNode root) {
        String mode = text(root.get("mode"), "mode", 16, TOKEN, "gateway or byos").orElse(GATEWAY);
        Optional<String> provider = text(root.get("provider"), "provider", 63, TOKEN, "a provider name");
        return switch (mode) {
            case GATEWAY -> {
                if (provider.isPresent()) {
                    throw ApiException.badRequest("invalid_field", "provider: " + quote(provider.get())
                            + " (expected: only with \"mode\": \"byos\")");
                }
                yield Optional.empty();
            }
            case BYOS -> {
                if (provider.isEmpty()) {
                    throw ApiException.badRequest("invalid_field",
                            "provider: missing (expected: with \"mode\": \"byos\", the provider whose subscription to use)");
                }
                yield provider;
            }
            default -> throw ApiException.badRequest("invalid_field", "mode: " + quote(mode)
                    + " (expected: gateway or byos)");
        };
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
