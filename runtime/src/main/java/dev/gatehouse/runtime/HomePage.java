package dev.gatehouse.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;

/**
 * {@code GET /} (and {@code HEAD}): a small self-contained HTML page for a person who opens the
 * sandbox in a browser, saying that it runs, its default model if configured, and where LLM calls go.
 * It never shows a token or a credential (only, in subscription mode, the variable's name that
 * {@code /healthz} shows too), loads nothing and runs no script ({@value #CSP}). Built once from the
 * configuration; thread-safe.
 */
final class HomePage {
    static final String CSP = "default-src 'none'; style-src 'unsafe-inline'";
    private static final String STYLE = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;"
            + "padding:0 1rem;line-height:1.5;color:#1b1b1b;background:#fff}code{background:#f0f0f0;padding:0 .25rem}";

    private final byte[] body;

    private HomePage(String html) {
        this.body = html.getBytes(UTF_8);
    }

    static HomePage of(RuntimeConfig config) {
        StringBuilder html = new StringBuilder("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>Sandbox running</title><style>" + STYLE + "</style></head>\n<body><main>\n"
                + "<h1>This sandbox is running</h1>\n");
        html.append(config.defaultModel() == null
                ? "<p>No default model is configured: name a model in each request.</p>\n"
                : "<p>Default model: <code>" + escape(config.defaultModel()) + "</code></p>\n");
        if (config.llm() instanceof LlmAccess.Subscription subscription) {
            html.append("<p>LLM calls use the owner&#39;s own subscription, whose credential the sandbox holds in <code>")
                    .append(escape(subscription.variable()))
                    .append("</code>; this runtime forwards nothing: its <code>/v1/chat/completions</code> answers"
                            + " 503.</p>\n");
        } else {
            html.append("<p>LLM calls go through the Gatehouse gateway: send OpenAI-compatible requests to"
                    + " <code>/v1/chat/completions</code> (models: <code>/v1/models</code>) here, and the runtime"
                    + " forwards them with the sandbox&#39;s own credential.</p>\n");
        }
        html.append("<p>Health: <code>/healthz</code></p>\n</main></body></html>\n");
        return new HomePage(html.toString());
    }

    /** Answers {@code GET} with the page, {@code HEAD} with its headers only. */
    void send(HttpExchange exchange) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "text/html; charset=utf-8");
        headers.set("Content-Security-Policy", CSP);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Cache-Control", "no-store");
        if (exchange.getRequestMethod().equals("HEAD")) {
            // The JDK server sends no length of its own for HEAD; -1: no body follows.
            headers.set("Content-Length", Integer.toString(body.length));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Text for HTML element content and quoted attribute values. */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
