package dev.gatehouse.bench.load;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Map;

/**
 * The least a proxy on Gatehouse's stack does, for measuring that stack's floor: Vert.x's HTTP server
 * and client on epoll, one server and one pooled keep-alive client per event loop (as Gatehouse), the
 * request body read whole and sent on, the answer's status, content type and body sent back. No
 * router, authentication, routing, metering, metrics or logging: the distance from Gatehouse to this
 * is what Gatehouse's own work costs, and the distance from this to nginx's proxy is the stack's.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.gatehouse.bench.load.VertxFloorProxy
 * --upstream-port 8080 [--port 0] [--port-file F] [--event-loops N]} (default: one per core).
 */
public final class VertxFloorProxy extends AbstractVerticle {
    private static volatile int actualPort;

    private final int port;
    private final int upstreamPort;
    private HttpClient client;

    VertxFloorProxy(int port, int upstreamPort) {
        this.port = port;
        this.upstreamPort = upstreamPort;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Args.parse(argv);
        int upstreamPort = Args.intArg(args, "upstream-port", -1);
        if (upstreamPort <= 0) {
            throw new IllegalArgumentException("--upstream-port is required");
        }
        int eventLoops = Args.intArg(args, "event-loops", Runtime.getRuntime().availableProcessors());
        int listen = SharedPort.resolve(args);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setPreferNativeTransport(true));
        vertx.deployVerticle(() -> new VertxFloorProxy(listen, upstreamPort),
                new DeploymentOptions().setInstances(eventLoops)).await();
        System.out.printf("vert.x floor proxy on 127.0.0.1:%d -> 127.0.0.1:%d, %d event loops, transport %s%n",
                actualPort, upstreamPort, eventLoops, vertx.isNativeTransportEnabled() ? "epoll" : "nio");
        SharedPort.report(args, actualPort);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
        Thread.currentThread().join();
    }

    @Override
    public void start(Promise<Void> started) {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(64));
        vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)
                        .setCompressionSupported(false).setHttp2ClearTextEnabled(false))
                .requestHandler(this::relay)
                .listen()
                .onSuccess(server -> actualPort = server.actualPort())
                .<Void>mapEmpty()
                .onComplete(started);
    }

    private void relay(HttpServerRequest request) {
        request.body()
                .compose(body -> client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
                                .setPort(upstreamPort).setURI(request.uri()))
                        .compose(out -> {
                            String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
                            if (type != null) {
                                out.putHeader(HttpHeaders.CONTENT_TYPE, type);
                            }
                            return out.send(body);
                        }))
                .compose(answer -> answer.body().onSuccess(bytes -> {
                    String type = answer.getHeader(HttpHeaders.CONTENT_TYPE);
                    if (type != null) {
                        request.response().putHeader(HttpHeaders.CONTENT_TYPE, type);
                    }
                    request.response().setStatusCode(answer.statusCode()).end(bytes);
                }))
                .onFailure(failure -> {
                    if (!request.response().ended()) {
                        request.response().setStatusCode(502).end();
                    }
                });
    }
}
