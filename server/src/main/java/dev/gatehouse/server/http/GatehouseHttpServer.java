package dev.gatehouse.server.http;

import static java.util.Objects.requireNonNull;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP listener: request ids, access log, body limits and problem+json errors in front of every
 * capability's {@link Routes}, plus {@code /metrics}. Not thread-safe to configure; start once.
 */
public final class GatehouseHttpServer {
    private static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Vertx vertx;
    private final HttpConfig config;
    private final Router router;
    private HttpServer server;

    public GatehouseHttpServer(Vertx vertx, HttpConfig config, PrometheusMeterRegistry metrics, List<Routes> routes) {
        this.vertx = requireNonNull(vertx, "vertx");
        this.config = requireNonNull(config, "config");
        this.router = Router.router(vertx);
        router.route().handler(new RequestIds());
        router.route().handler(new AccessLog());
        router.route().handler(new BodyLimit(config.maxBodyBytes(),
                routes.stream().flatMap(r -> r.ownBodyLimitPrefixes().stream()).toList()));
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", PROMETHEUS_CONTENT_TYPE)
                .end(metrics.scrape()));
        routes.forEach(r -> r.register(router));
        router.route().failureHandler(ProblemResponses::handleFailure);
        for (int status : new int[] {400, 404, 405, 406, 413, 415}) {
            router.errorHandler(status, ProblemResponses.forStatus(status));
        }
    }

    public Future<Integer> start() {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.host())
                .setPort(config.port())
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(16384)
                .setCompressionSupported(false);
        server = vertx.createHttpServer(options)
                .requestHandler(router);
        return server.listen().map(HttpServer::actualPort);
    }

    /** Stops accepting connections and lets in-flight requests finish within the configured timeout. */
    public Future<Void> shutdown() {
        if (server == null) {
            return Future.succeededFuture();
        }
        return server.shutdown(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    public int port() {
        return server.actualPort();
    }
}
