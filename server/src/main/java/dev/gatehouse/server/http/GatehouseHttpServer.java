package dev.gatehouse.server.http;

import dev.gatehouse.server.logging.LoggingConfig.GatewayAccess;
import static java.util.Objects.requireNonNull;

import io.vertx.core.Future;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP listener: request ids, access log, body limits and problem+json errors in front of every
 * capability's {@link Routes}. {@code /metrics} is not here but on the {@link ManagementServer}. Not
 * thread-safe to configure; start once.
 */
public final class GatehouseHttpServer {
    private final Vertx vertx;
    private final HttpConfig config;
    private final Router router;
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();

    public GatehouseHttpServer(Vertx vertx, HttpConfig config, GatewayAccess gatewayAccess, List<Routes> routes) {
        this.vertx = requireNonNull(vertx, "vertx");
        this.config = requireNonNull(config, "config");
        this.router = Router.router(vertx);
        router.route().handler(new RequestIds());
        router.route().handler(new AccessLog(gatewayAccess));
        router.route().handler(new BodyLimit(config.maxBodyBytes(),
                routes.stream().flatMap(r -> r.ownBodyLimitPrefixes().stream()).toList()));
        // The router tests routes in the order they were added.
        routes.stream().filter(Routes::matchedFirst).forEach(r -> r.register(router));
        routes.stream().filter(r -> !r.matchedFirst()).forEach(r -> r.register(router));
        router.route().failureHandler(ProblemResponses::handleFailure);
        for (int status : new int[] {400, 404, 405, 406, 413, 415}) {
            router.errorHandler(status, ProblemResponses.forStatus(status));
        }
    }

    /**
     * Listens with one server per event loop, all on one port, so requests are spread over every
     * core (a single server would serve every connection from one event-loop thread). Vert.x shares
     * the port between them. Port 0 is resolved to a free port first, so that every server binds the
     * same one.
     */
    public Future<Integer> start() {
        int port;
        try {
            port = config.port() == 0 ? freePort(config.host()) : config.port();
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.host())
                .setPort(port)
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(16384)
                .setCompressionSupported(false)
                // No HTTP/1.1 -> h2c upgrade: Vert.x's upgrade path corrupts responses larger than the
                // initial HTTP/2 window (seen with curl --http2 on /metrics). Plain-text clients get HTTP/1.1.
                .setHttp2ClearTextEnabled(false);
        int instances = config.eventLoopCount();
        return vertx.deployVerticle(() -> new VerticleBase() {
                    @Override
                    public Future<?> start() {
                        HttpServer server = vertx.createHttpServer(options).requestHandler(router);
                        servers.add(server);
                        return server.listen();
                    }
                }, new DeploymentOptions().setInstances(instances))
                .map(deployment -> servers.get(0).actualPort());
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return probe.getLocalPort();
        }
    }

    /** Stops accepting connections and lets in-flight requests finish within the configured timeout. */
    public Future<Void> shutdown() {
        return Future.all(servers.stream()
                        .map(server -> server.shutdown(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS))
                        .toList())
                .mapEmpty();
    }

    public int port() {
        return servers.get(0).actualPort();
    }
}
