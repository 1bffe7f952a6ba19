package dev.gatehouse.server.http;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.logging.LoggingConfig.GatewayAccess;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured log line per finished request: method, path (never the query string, which may
 * carry credentials), status, duration and request id. Headers are never logged. The gateway's
 * {@code /v1/} requests get one as {@link GatewayAccess} says.
 */
public final class AccessLog implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger("gatehouse.access");
    private static final String GATEWAY_PREFIX = "/v1/";

    private final GatewayAccess gatewayAccess;

    public AccessLog(GatewayAccess gatewayAccess) {
        this.gatewayAccess = requireNonNull(gatewayAccess, "gatewayAccess");
    }

    @Override
    public void handle(RoutingContext ctx) {
        long start = System.nanoTime();
        HttpServerRequest request = ctx.request();
        if (gatewayAccess == GatewayAccess.ALL || !request.path().startsWith(GATEWAY_PREFIX)) {
            ctx.addEndHandler(done -> line(ctx, start, done.succeeded()));
        } else if (gatewayAccess == GatewayAccess.FAILURES) {
            ctx.addEndHandler(done -> {
                if (done.failed() || ctx.response().getStatusCode() >= 400) {
                    line(ctx, start, done.succeeded());
                }
            });
        }
        ctx.next();
    }

    private static void line(RoutingContext ctx, long start, boolean completed) {
        HttpServerRequest request = ctx.request();
        log.atInfo()
                .addKeyValue("requestId", RequestIds.get(ctx))
                .addKeyValue("method", request.method().name())
                .addKeyValue("path", request.path())
                .addKeyValue("status", ctx.response().getStatusCode())
                .addKeyValue("durationMs", (System.nanoTime() - start) / 1_000_000.0)
                .log(completed ? "request" : "request aborted");
    }
}
