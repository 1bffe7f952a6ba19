package dev.gatehouse.server.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

/**
 * A real HTTP OAuth 2.0 authorization server, as small as a BYOS provider can be: {@code /authorize}
 * approves at once (the member "consents") and sends the browser back to {@code redirect_uri} with a
 * code and the state; {@code /token} exchanges any code for a bearer access token and a refresh token.
 * Records what it was asked.
 */
final class FakeOAuthProvider implements AutoCloseable {
    private final HttpServer server;
    private final ConcurrentLinkedQueue<String> authorizeQueries = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> tokenRequests = new ConcurrentLinkedQueue<>();

    private FakeOAuthProvider(HttpServer server) {
        this.server = server;
    }

    static FakeOAuthProvider start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            FakeOAuthProvider provider = new FakeOAuthProvider(server);
            server.createContext("/authorize", provider::authorize);
            server.createContext("/token", provider::token);
            server.start();
            return provider;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<String> authorizeQueries() {
        return List.copyOf(authorizeQueries);
    }

    List<String> tokenRequests() {
        return List.copyOf(tokenRequests);
    }

    private void authorize(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        authorizeQueries.add(query);
        Map<String, String> params = form(query);
        String location = params.get("redirect_uri") + "?code=" + UUID.randomUUID() + "&state="
                + URLEncoder.encode(params.get("state"), StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Location", location);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private void token(HttpExchange exchange) throws IOException {
        tokenRequests.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        byte[] body = ("{\"access_token\":\"at-" + UUID.randomUUID() + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
                + "\"refresh_token\":\"rt-" + UUID.randomUUID() + "\",\"scope\":\"inference\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static Map<String, String> form(String query) {
        return Arrays.stream(query == null ? new String[0] : query.split("&"))
                .map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(pair -> URLDecoder.decode(pair[0], StandardCharsets.UTF_8),
                        pair -> pair.length > 1 ? URLDecoder.decode(pair[1], StandardCharsets.UTF_8) : "", (a, b) -> b));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
