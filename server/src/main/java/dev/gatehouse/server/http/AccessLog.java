package dev.gatehouse.server.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured log line per finished request: method, path (never the query string, which may
 * carry credentials), status, duration and request id. Headers are never logged.
 */
public final class AccessLog implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger("gatehouse.access");

    @Override
    public void handle(RoutingContext ctx) {
        long start = System.nanoTime();
        HttpServerRequest request = ctx.request();
        ctx.addEndHandler(done -> log.atInfo()
                .addKeyValue("requestId", RequestIds.get(ctx))
                .addKeyValue("method", request.method().name())
                .addKeyValue("path", request.path())
                .addKeyValue("status", ctx.response().getStatusCode())
                .addKeyValue("durationMs", (System.nanoTime() - start) / 1_000_000.0)
                .log(done.succeeded() ? "request" : "request aborted"));
        ctx.next();
    }
}
