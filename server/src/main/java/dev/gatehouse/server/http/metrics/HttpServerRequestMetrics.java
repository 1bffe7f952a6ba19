package dev.gatehouse.server.http.metrics;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.http.metrics.HttpServerMeters.ByMethod;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP server's metrics: its requests measured on {@link HttpServerMeters}, its connections,
 * bytes and WebSockets by Vert.x's own implementation ({@code connections}), which keeps those per
 * connection already. Called on the connection's event loop.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
final class HttpServerRequestMetrics implements HttpServerMetrics<HttpServerRequestMetrics.Exchange, Object, Object> {
    private final HttpServerMeters meters;
    private final HttpServerMetrics connections;

    HttpServerRequestMetrics(HttpServerMeters meters, HttpServerMetrics<?, ?, ?> connections) {
        this.meters = requireNonNull(meters, "meters");
        this.connections = requireNonNull(connections, "connections");
    }

    @Override
    public Exchange requestBegin(Object socket, HttpRequest request) {
        return new Exchange(meters.method(request.method()));
    }

    @Override
    public Exchange responsePushed(Object socket, HttpMethod method, String uri, HttpResponse response) {
        return new Exchange(meters.method(method));
    }

    @Override
    public void requestEnd(Exchange exchange, HttpRequest request, long bytesRead) {
        exchange.meters.requestBytes.record(bytesRead);
        exchange.requestEnded = true;
        if (exchange.responseEnded) {
            exchange.finish();
        }
    }

    @Override
    public void responseEnd(Exchange exchange, HttpResponse response, long bytesWritten) {
        HttpServerMeters.ByStatus status = exchange.meters.status(response.statusCode());
        status.requests.increment();
        status.responseTime.record(System.nanoTime() - exchange.startNanos, TimeUnit.NANOSECONDS);
        status.responseBytes.record(bytesWritten);
        exchange.responseEnded = true;
        if (exchange.requestEnded) {
            exchange.finish();
        }
    }

    /**
     * Counted once per request: Vert.x 5 reports an HTTP/1 request reset again when its connection
     * then closes, which drives its own active-requests gauge below zero.
     */
    @Override
    public void requestReset(Exchange exchange) {
        if (exchange.finish()) {
            exchange.meters.resets.increment();
        }
    }

    @Override
    public Object connected(Object socket, Exchange exchange, ServerWebSocket webSocket) {
        return connections.connected(socket, null, webSocket);
    }

    @Override
    public void disconnected(Object webSocket) {
        connections.disconnected(webSocket);
    }

    @Override
    public Object connected(SocketAddress remoteAddress, String remoteName) {
        return connections.connected(remoteAddress, remoteName);
    }

    @Override
    public void disconnected(Object socket, SocketAddress remoteAddress) {
        connections.disconnected(socket, remoteAddress);
    }

    @Override
    public void bytesRead(Object socket, SocketAddress remoteAddress, long numberOfBytes) {
        connections.bytesRead(socket, remoteAddress, numberOfBytes);
    }

    @Override
    public void bytesWritten(Object socket, SocketAddress remoteAddress, long numberOfBytes) {
        connections.bytesWritten(socket, remoteAddress, numberOfBytes);
    }

    @Override
    public void exceptionOccurred(Object socket, SocketAddress remoteAddress, Throwable error) {
        connections.exceptionOccurred(socket, remoteAddress, error);
    }

    @Override
    public void close() {
        connections.close();
    }

    /** One request: active from its beginning until both it and its response ended, or it was reset. */
    static final class Exchange {
        private final ByMethod meters;
        private final long startNanos = System.nanoTime();
        private boolean requestEnded;
        private boolean responseEnded;
        private boolean active = true;

        private Exchange(ByMethod meters) {
            this.meters = meters;
            meters.active.increment();
        }

        /** No longer active; false if it was not any more. */
        private boolean finish() {
            if (!active) {
                return false;
            }
            active = false;
            meters.active.decrement();
            return true;
        }
    }
}
