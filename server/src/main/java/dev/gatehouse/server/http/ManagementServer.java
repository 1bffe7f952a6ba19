package dev.gatehouse.server.http;

import static java.util.Objects.requireNonNull;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;

/**
 * The management listener on {@code server.managementPort}: {@code GET /metrics} (Prometheus text)
 * plus the same {@code /healthz} and {@code /readyz} as the API port, on the API's host. Kept off the
 * API port so that whoever reaches the API (the Ingress, sandboxes) cannot read the metrics. One
 * server on one event loop: scrapes and probes are no hot path. Start once.
 */
public final class ManagementServer {
    private static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpConfig config;
    private final HttpServer server;

    public ManagementServer(Vertx vertx, HttpConfig config, PrometheusMeterRegistry metrics, HealthRoutes health) {
        requireNonNull(vertx, "vertx");
        requireNonNull(metrics, "metrics");
        this.config = requireNonNull(config, "config");
        Router router = Router.router(vertx);
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", PROMETHEUS_CONTENT_TYPE)
                .end(metrics.scrape()));
        requireNonNull(health, "health").register(router);
        router.route().failureHandler(ProblemResponses::handleFailure);
        for (int status : new int[] {404, 405}) {
            router.errorHandler(status, ProblemResponses.forStatus(status));
        }
        this.server = vertx.createHttpServer(new HttpServerOptions()
                        .setHost(config.host())
                        .setPort(config.managementPort())
                        .setCompressionSupported(false)
                        // As on the API port: no h2c upgrade, whose path corrupts responses as large as a scrape.
                        .setHttp2ClearTextEnabled(false))
                .requestHandler(router);
    }

    /**
     * Listens; completes with the port bound (a free one when {@code server.managementPort} is 0), or
     * fails naming the key and the address (a port in use, say). Refuses {@code apiPort}, the port the
     * API listener bound: Vert.x would share that listener between the two routers without an error,
     * serving {@code /metrics} on the API port to some connections (the configuration refuses equal
     * ports, but {@code server.port: 0} resolves only at start).
     */
    public Future<Integer> start(int apiPort) {
        if (config.managementPort() == apiPort) {
            return Future.failedFuture(new IllegalStateException("server.managementPort: " + apiPort
                    + " is the API port (expected: a port of its own: /metrics stays off the API port)"));
        }
        return server.listen().map(HttpServer::actualPort).recover(e -> Future.failedFuture(new IllegalStateException(
                "server.managementPort: cannot listen on " + config.host() + ":" + config.managementPort()
                        + " (" + e.getMessage() + ")", e)));
    }

    /** Stops accepting connections and lets an in-flight scrape finish within the configured timeout. */
    public Future<Void> shutdown() {
        return server.shutdown(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The port bound, once {@link #start} has completed. */
    public int port() {
        return server.actualPort();
    }
}
