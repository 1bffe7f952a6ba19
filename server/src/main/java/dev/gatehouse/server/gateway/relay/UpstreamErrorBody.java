package dev.gatehouse.server.gateway.relay;

import dev.gatehouse.server.gateway.GatewayException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An upstream's error response (a 4xx the gateway relays rather than fails over on) as the client
 * sees it: OpenAI's error shape, with the upstream's status and its own message. The body may be
 * OpenAI's shape ({@code {"error": {message, type, code, param}}}), vLLM's ({@code {"object":
 * "error", "message", "type", "code"}}), FastAPI's ({@code {"detail": "..."}}), plain text, or
 * nothing at all. The message is kept (at most {@value #MAX_MESSAGE_CHARS} characters, control
 * characters replaced, the channel's API key redacted should the upstream echo it); the upstream's
 * {@code type}, {@code code} and {@code param} only when they are short identifiers, else the
 * status's type and the code {@code upstream_<status>}. Stateless.
 */
final class UpstreamErrorBody {
    /** The most of an error body read; error bodies are small, and nothing past this is looked at. */
    static final int MAX_BYTES = 64 * 1024;
    static final int MAX_MESSAGE_CHARS = 2000;
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}&&[^\\n\\t]]");

    private UpstreamErrorBody() {}

    /** @param body the first {@link #MAX_BYTES} of the upstream's body, or less */
    static GatewayException toClient(int status, Buffer body, Optional<String> channelKey) {
        String text = body.toString(StandardCharsets.UTF_8).strip();
        JsonObject error = errorObject(text);
        String message = error == null ? text : firstText(error, "message", "detail");
        if (message == null || message.isBlank()) {
            message = "The upstream answered " + status + (text.isEmpty() ? " without a body." : " without a message.");
        }
        String type = identifier(error, "type").orElse(typeOf(status));
        String code = identifier(error, "code").orElse("upstream_" + status);
        String param = identifier(error, "param").orElse(null);
        return new GatewayException(status, type, code, safe(message, channelKey), param, -1);
    }

    /** The object holding the error's fields, or null when the body is not JSON. */
    private static JsonObject errorObject(String text) {
        if (!text.startsWith("{")) {
            return null;
        }
        try {
            JsonObject json = new JsonObject(text);
            Object nested = json.getValue("error");
            if (nested instanceof JsonObject inner) {
                return inner;
            }
            return nested instanceof String message ? new JsonObject().put("message", message) : json;
        } catch (DecodeException e) {
            return null;
        }
    }

    private static String firstText(JsonObject error, String... fields) {
        for (String field : fields) {
            if (error.getValue(field) instanceof String value) {
                return value;
            }
        }
        return null;
    }

    private static Optional<String> identifier(JsonObject error, String field) {
        return error != null && error.getValue(field) instanceof String value && IDENTIFIER.matcher(value).matches()
                ? Optional.of(value) : Optional.empty();
    }

    private static String safe(String message, Optional<String> channelKey) {
        String shown = CONTROL.matcher(message).replaceAll("?");
        if (channelKey.isPresent() && !channelKey.get().isEmpty()) {
            shown = shown.replace(channelKey.get(), "[redacted]");
        }
        return shown.length() > MAX_MESSAGE_CHARS ? shown.substring(0, MAX_MESSAGE_CHARS) + "…" : shown;
    }

    /** OpenAI's error type for a status, as its SDKs expect. */
    static String typeOf(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }
}
