package dev.gatehouse.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.fail;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An LLM gateway for tests: a real JDK HTTP server on a free port that records every request it
 * read completely (method, path with query, headers, body) and answers with the current
 * {@link Responder}.
 */
final class FakeGateway implements AutoCloseable {
    record Request(String method, String path, Headers headers, byte[] body) {
        String header(String name) {
            return headers.getFirst(name);
        }

        String bodyText() {
            return new String(body, UTF_8);
        }
    }

    @FunctionalInterface
    interface Responder {
        void respond(HttpExchange exchange) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private volatile Responder responder = json(200, "{}");

    private FakeGateway() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static FakeGateway start() throws IOException {
        return new FakeGateway();
    }

    /** The gateway's OpenAI base URL, as the runtime is configured with it. */
    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    void respondWith(Responder responder) {
        this.responder = responder;
    }

    Request takeRequest() throws InterruptedException {
        Request request = requests.poll(5, TimeUnit.SECONDS);
        if (request == null) {
            fail("the gateway received no request");
        }
        return request;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        URI uri = exchange.getRequestURI();
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        requests.add(new Request(exchange.getRequestMethod(), path, exchange.getRequestHeaders(), body));
        try {
            responder.respond(exchange);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** A whole JSON answer with a Content-Length. */
    static Responder json(int status, String body) {
        return exchange -> {
            byte[] bytes = body.getBytes(UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        };
    }

    /**
     * Server-Sent Events, chunked: each event is sent and flushed {@code gap} after the previous
     * one; {@code closed} is counted down when a write fails because the runtime hung up.
     */
    static Responder sse(Duration gap, CountDownLatch closed, String... events) {
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            try {
                for (String event : events) {
                    send(out, event);
                    Thread.sleep(gap);
                }
                out.close();
            } catch (IOException e) {
                closed.countDown();
                throw e;
            }
        };
    }

    /** Starts a chunked event stream, sends {@code event}, then drops the connection without ending it. */
    static Responder cutAfter(String event) {
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            send(exchange.getResponseBody(), event);
            // The JDK server closes the connection, without the last chunk, when a handler throws.
            throw new IOException("cut on purpose");
        };
    }

    static void send(OutputStream out, String event) throws IOException {
        out.write(("data: " + event + "\n\n").getBytes(UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
