package dev.gatehouse.server.sandbox;

import dev.gatehouse.server.http.ProblemResponses;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the sandbox proxy changes on the way through, for HTTP and WebSocket alike: the path loses
 * its {@code /sandboxes/{id}} prefix; the caller's credentials never reach the runtime (no
 * {@code Authorization}, no Gatehouse cookie, no console CSRF token, no forwarding headers the caller wrote); a runtime
 * cannot set a cookie under Gatehouse's names, nor one outside its own path; and a runtime that does
 * not answer becomes a 502 problem instead of an empty response.
 */
final class ProxyInterceptors implements ProxyInterceptor {
    /** Cookies of Gatehouse's own (console sessions), by name prefix, case-insensitive. */
    static final List<String> GATEHOUSE_COOKIE_PREFIXES = List.of("gatehouse", "__host-gatehouse", "__secure-gatehouse");
    private static final List<String> STRIPPED_REQUEST_HEADERS = List.of("Authorization", "Proxy-Authorization",
            "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port",
            "X-Forwarded-Prefix", "X-Real-IP", "X-CSRF-Token");

    private final String prefix;
    private final String path;
    private final Runnable webSocketClosed;

    /**
     * @param prefix what the caller's path starts with, {@code /sandboxes/<id>}
     * @param path what the runtime is asked for: the rest of the path, with the query
     * @param webSocketClosed run once when a WebSocket relayed through this exchange closes
     */
    ProxyInterceptors(String prefix, String path, Runnable webSocketClosed) {
        this.prefix = prefix;
        this.path = path;
        this.webSocketClosed = webSocketClosed;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        ProxyRequest request = context.request();
        request.setURI(path);
        MultiMap headers = request.headers();
        STRIPPED_REQUEST_HEADERS.forEach(headers::remove);
        List<String> cookies = headers.getAll("Cookie");
        headers.remove("Cookie");
        cookies.stream().map(ProxyInterceptors::withoutGatehouseCookies).filter(value -> !value.isEmpty())
                .forEach(value -> headers.add("Cookie", value));
        headers.set("X-Forwarded-Prefix", prefix);
        return context.sendRequest();
    }

    @Override
    public Future<Void> handleProxyResponse(ProxyContext context) {
        ProxyResponse response = context.response();
        if (response.proxiedResponse() == null && response.getStatusCode() >= 500) {
            // The proxy could not reach the runtime (or it reset the request): no response of the runtime's.
            JsonObject problem = new JsonObject()
                    .put("type", "urn:gatehouse:problem:sandbox_unreachable")
                    .put("title", "Bad Gateway")
                    .put("status", 502)
                    .put("code", "sandbox_unreachable")
                    .put("detail", "The sandbox's runtime did not answer; it may be restarting or have stopped.");
            response.setStatusCode(502).putHeader("Content-Type", ProblemResponses.CONTENT_TYPE)
                    .setBody(Body.body(Buffer.buffer(problem.encode())));
        }
        if (context.isWebSocket() && response.getStatusCode() == 101) {
            // Once upgraded the proxy pipes raw sockets: the runtime side's end is the WebSocket's end.
            response.proxiedResponse().netSocket().endHandler(ended -> webSocketClosed.run());
        }
        List<String> setCookies = response.headers().getAll("Set-Cookie");
        if (!setCookies.isEmpty()) {
            response.headers().remove("Set-Cookie");
            setCookies.stream().filter(cookie -> !isGatehouseCookie(cookie.split("=", 2)[0]))
                    .map(this::scopedToTheSandbox)
                    .forEach(cookie -> response.headers().add("Set-Cookie", cookie));
        }
        return context.sendResponse();
    }

    /**
     * A runtime's cookie, kept to the sandbox's own path and Gatehouse's host: {@code Path=/x} becomes
     * {@code Path=/sandboxes/<id>/x} (no path: the sandbox's root), any {@code Domain} is dropped. (A
     * path is no security boundary against the runtime's own scripts; it keeps one sandbox's cookies
     * out of the requests to another.)
     */
    String scopedToTheSandbox(String cookie) {
        String[] parts = cookie.split(";");
        StringBuilder scoped = new StringBuilder(parts[0].strip());
        String path = "/";
        for (int i = 1; i < parts.length; i++) {
            String attribute = parts[i].strip();
            String name = attribute.split("=", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (name.equals("path")) {
                String value = attribute.contains("=") ? attribute.split("=", 2)[1].strip() : "";
                path = value.startsWith("/") ? value : "/";
            } else if (!name.equals("domain") && !attribute.isEmpty()) {
                scoped.append("; ").append(attribute);
            }
        }
        return scoped.append("; Path=").append(prefix).append(path).toString();
    }

    /** {@code a=1; gatehouse_session=x; b=2} → {@code a=1; b=2}. */
    static String withoutGatehouseCookies(String header) {
        List<String> kept = new ArrayList<>();
        for (String pair : header.split(";")) {
            String trimmed = pair.strip();
            if (!trimmed.isEmpty() && !isGatehouseCookie(trimmed.split("=", 2)[0])) {
                kept.add(trimmed);
            }
        }
        return String.join("; ", kept);
    }

    private static boolean isGatehouseCookie(String name) {
        String lower = name.strip().toLowerCase(Locale.ROOT);
        return GATEHOUSE_COOKIE_PREFIXES.stream().anyMatch(lower::startsWith);
    }
}
