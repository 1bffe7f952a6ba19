package dev.gatehouse.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Forwards one request to the gateway and streams the answer back. The gateway sees only the
 * request body, {@code Content-Type}, {@code Accept}, the runtime's {@code User-Agent} and
 * {@code Authorization: Bearer <token>}; no other client header. The client sees the gateway's
 * status, {@code Content-Type}, {@code Retry-After}, {@code X-Request-Id} and body, each read from the
 * gateway written and flushed at once. When either side breaks mid-stream the client's connection is
 * closed without ending the response, and the gateway request is cancelled. Owns its HTTP client,
 * which {@link #close()} shuts down. Thread-safe.
 */
final class Forwarder implements Upstream {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final long MAX_REQUEST_BYTES = 16L * 1024 * 1024;
    private static final List<String> RELAYED_RESPONSE_HEADERS = List.of("Content-Type", "Retry-After", "X-Request-Id");
    private static final String USER_AGENT = "gatehouse-runtime/" + version();

    private final HttpClient client;
    private final String gatewayUrl;
    private final TokenSource tokens;

    private Forwarder(HttpClient client, URI gatewayUrl, TokenSource tokens) {
        this.client = client;
        this.gatewayUrl = gatewayUrl.toString();
        this.tokens = tokens;
    }

    /** A forwarder to {@code gateway} whose HTTP client runs on {@code executor}. */
    static Forwarder to(LlmAccess.Gateway gateway, Executor executor) {
        return new Forwarder(httpClient(gateway.url(), executor), gateway.url(), TokenSource.of(gateway));
    }

    private static HttpClient httpClient(URI gatewayUrl, Executor executor) {
        HttpClient.Builder client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(CONNECT_TIMEOUT)
                .executor(executor);
        if ("http".equalsIgnoreCase(gatewayUrl.getScheme())) {
            // HttpClient builds the default TLS context (JSSE, the trust store) even if it never
            // connects with TLS: about 8 MB resident and 400 classes. A plain-HTTP gateway gets a
            // context that is never used instead.
            client.sslContext(new SSLContext(null, null, "none") {}).sslParameters(new SSLParameters());
        }
        return client.build();
    }

    /** Forwards {@code exchange} (a GET or a POST) to {@code <gateway URL><gatewayPath>}, keeping its query. */
    @Override
    public void forward(HttpExchange exchange, String gatewayPath) throws IOException {
        Optional<String> token = tokens.current();
        if (token.isEmpty()) {
            logError("no gateway token: the token file is missing, empty or malformed");
            ApiError.TOKEN_UNAVAILABLE.send(exchange);
            return;
        }
        long length = requestLength(exchange.getRequestHeaders());
        if (length > MAX_REQUEST_BYTES) {
            ApiError.REQUEST_TOO_LARGE.send(exchange);
            return;
        }
        CappedInputStream body = new CappedInputStream(exchange.getRequestBody(), MAX_REQUEST_BYTES);
        HttpResponse<InputStream> response;
        try {
            response = client.send(request(exchange, gatewayPath, token.get(), body, length),
                    BodyHandlers.ofInputStream());
        } catch (IOException e) {
            if (body.exceeded()) {
                ApiError.REQUEST_TOO_LARGE.send(exchange);
                return;
            }
            logError("gateway unreachable: " + withRootCause(e));
            ApiError.GATEWAY_UNREACHABLE.send(exchange);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the gateway");
        }
        relay(response, exchange);
    }

    @Override
    public void close() {
        client.shutdownNow();
    }

    private HttpRequest request(HttpExchange exchange, String gatewayPath, String token, InputStream body, long length) {
        String query = exchange.getRequestURI().getRawQuery();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gatewayUrl + gatewayPath + (query == null ? "" : "?" + query)))
                .header("Authorization", "Bearer " + token)
                .header("User-Agent", USER_AGENT);
        Headers headers = exchange.getRequestHeaders();
        String accept = headers.getFirst("Accept");
        if (accept != null) {
            request.header("Accept", accept);
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            return request.GET().build();
        }
        String contentType = Objects.requireNonNullElse(headers.getFirst("Content-Type"), "application/json");
        return request.header("Content-Type", contentType).POST(publisher(body, length)).build();
    }

    private static BodyPublisher publisher(InputStream body, long length) {
        if (length == 0) {
            return BodyPublishers.noBody();
        }
        BodyPublisher stream = BodyPublishers.ofInputStream(() -> body);
        return length < 0 ? stream : BodyPublishers.fromPublisher(stream, length);
    }

    private static void relay(HttpResponse<InputStream> response, HttpExchange exchange) throws IOException {
        try (InputStream upstream = response.body()) {
            Headers headers = exchange.getResponseHeaders();
            for (String name : RELAYED_RESPONSE_HEADERS) {
                response.headers().firstValue(name).ifPresent(value -> headers.set(name, value));
            }
            int status = response.statusCode();
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (status == 204 || status == 304 || length == 0) {
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(status, length < 0 ? 0 : length);
            OutputStream out = exchange.getResponseBody();
            byte[] buffer = new byte[8192];
            for (int n = readFromGateway(upstream, buffer); n >= 0; n = readFromGateway(upstream, buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
            out.close();
        }
    }

    private static int readFromGateway(InputStream upstream, byte[] buffer) throws IOException {
        try {
            return upstream.read(buffer);
        } catch (IOException e) {
            logError("gateway connection broke mid-response: " + e);
            throw e;
        }
    }

    /** Mirrors how the JDK server frames a request body: chunked (-1), else Content-Length, else none. */
    private static long requestLength(Headers headers) {
        if ("chunked".equalsIgnoreCase(headers.getFirst("Transfer-Encoding"))) {
            return -1;
        }
        String length = headers.getFirst("Content-Length");
        return length == null ? 0 : Long.parseLong(length);
    }

    /** HttpClient's connect failures carry their reason (refused, unresolved) only in the innermost cause. */
    private static String withRootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e + " (" + root + ")";
    }

    private static void logError(String message) {
        System.err.println("gatehouse-runtime: " + message);
    }

    private static String version() {
        try (InputStream in = Forwarder.class.getResourceAsStream("version")) {
            return in == null ? "dev" : new String(in.readAllBytes(), UTF_8).strip();
        } catch (IOException e) {
            return "dev";
        }
    }
}
