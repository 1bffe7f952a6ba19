package dev.gatehouse.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Dispatches by exact path: {@code GET}/{@code HEAD /} answered with the {@link HomePage},
 * {@code GET /healthz} answered here with {@link Health}, and
 * {@code POST /v1/chat/completions}, {@code GET /v1/models} and {@code GET /v1/models/{id}} passed to
 * the {@link Upstream}; anything else is an OpenAI-shaped 404, or 405 with {@code Allow} for a known
 * path. A model id is passed on as received but refused when, decoded, it holds {@code /}, {@code \}
 * or {@code ..}. Thread-safe.
 */
final class Router implements HttpHandler {
    private static final String MODEL_PREFIX = "/v1/models/";

    private final Upstream upstream;
    private final Health health;
    private final HomePage home;

    Router(Upstream upstream, Health health, HomePage home) {
        this.upstream = upstream;
        this.health = health;
        this.home = home;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        switch (path) {
            case "/" -> {
                String method = exchange.getRequestMethod();
                if (method.equals("GET") || method.equals("HEAD")) {
                    home.send(exchange);
                } else {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    ApiError.METHOD_NOT_ALLOWED.send(exchange);
                }
            }
            case "/healthz" -> {
                if (allows(exchange, "GET")) {
                    health(exchange);
                }
            }
            case "/v1/chat/completions" -> {
                if (allows(exchange, "POST")) {
                    upstream.forward(exchange, "/chat/completions");
                }
            }
            case "/v1/models" -> {
                if (allows(exchange, "GET")) {
                    upstream.forward(exchange, "/models");
                }
            }
            default -> model(exchange);
        }
    }

    private void model(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if (!path.startsWith(MODEL_PREFIX) || path.length() == MODEL_PREFIX.length()) {
            ApiError.UNKNOWN_URL.send(exchange);
            return;
        }
        String id = path.substring(MODEL_PREFIX.length());
        String decoded = exchange.getRequestURI().getPath().substring(MODEL_PREFIX.length());
        if (decoded.contains("/") || decoded.contains("\\") || decoded.contains("..")) {
            ApiError.INVALID_MODEL_ID.send(exchange);
            return;
        }
        if (allows(exchange, "GET")) {
            upstream.forward(exchange, "/models/" + id);
        }
    }

    private static boolean allows(HttpExchange exchange, String method) throws IOException {
        if (method.equals(exchange.getRequestMethod())) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", method);
        ApiError.METHOD_NOT_ALLOWED.send(exchange);
        return false;
    }

    private void health(HttpExchange exchange) throws IOException {
        byte[] body = health.json().getBytes(UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
