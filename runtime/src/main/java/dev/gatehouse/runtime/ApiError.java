package dev.gatehouse.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An error the runtime answers itself, in OpenAI's shape
 * {@code {"error":{"message","type","param","code"}}} with a stable {@code code} and a message safe
 * to show. {@code param} is always null.
 */
record ApiError(int status, String type, String code, String message) {
    static final ApiError INVALID_MODEL_ID = new ApiError(400, "invalid_request_error", "invalid_model_id",
            "A model id must not contain \"/\" or \"..\".");
    static final ApiError UNKNOWN_URL = new ApiError(404, "invalid_request_error", "unknown_url",
            "No such endpoint. The sandbox runtime serves GET /healthz, POST /v1/chat/completions, GET /v1/models"
                    + " and GET /v1/models/{id}.");
    static final ApiError METHOD_NOT_ALLOWED = new ApiError(405, "invalid_request_error", "method_not_allowed",
            "This endpoint does not accept that method; see the Allow header.");
    static final ApiError REQUEST_TOO_LARGE = new ApiError(413, "invalid_request_error", "request_too_large",
            "The request body is larger than 16 MiB.");
    static final ApiError GATEWAY_UNREACHABLE = new ApiError(502, "api_error", "gateway_unreachable",
            "The LLM gateway could not be reached.");
    static final ApiError TOKEN_UNAVAILABLE = new ApiError(503, "api_error", "token_unavailable",
            "The sandbox's gateway token is not available yet.");

    /** A sandbox in subscription mode has no gateway to forward to; its agents call the provider themselves. */
    static ApiError noGateway(String credentialVariable) {
        return new ApiError(503, "api_error", "no_gateway", "This sandbox uses its owner's own subscription: call the"
                + " provider directly with $" + credentialVariable + "; there is no gateway here.");
    }

    String json() {
        return "{\"error\":{\"message\":" + Json.string(message) + ",\"type\":" + Json.string(type)
                + ",\"param\":null,\"code\":" + Json.string(code) + "}}";
    }

    /** Answers {@code exchange} with this error and ends the exchange. */
    void send(HttpExchange exchange) throws IOException {
        byte[] body = json().getBytes(UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
