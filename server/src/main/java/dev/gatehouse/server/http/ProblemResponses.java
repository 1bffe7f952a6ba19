package dev.gatehouse.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes RFC 9457 {@code application/problem+json} error responses and maps every failure that
 * reaches the router to one. Client mistakes keep their 4xx status; anything unexpected becomes a
 * 500 whose body says nothing about the cause (the cause goes to the log with the request id).
 */
public final class ProblemResponses {
    public static final String CONTENT_TYPE = "application/problem+json";
    private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);

    private ProblemResponses() {}

    /** Sends a problem response unless the response has already started. */
    public static void send(RoutingContext ctx, int status, String code, String detail) {
        HttpServerResponse response = ctx.response();
        if (response.headWritten()) {
            response.reset();
            return;
        }
        JsonObject body = new JsonObject()
                .put("type", "urn:gatehouse:problem:" + code)
                .put("title", HttpResponseStatus.valueOf(status).reasonPhrase())
                .put("status", status)
                .put("code", code)
                .put("detail", detail);
        String requestId = RequestIds.get(ctx);
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        if (status == 413 && ctx.request().version() != HttpVersion.HTTP_2) {
            // The unread body must not poison an HTTP/1 connection (HTTP/2 resets just the stream).
            response.putHeader("Connection", "close");
        }
        response.setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE).end(body.toBuffer());
    }

    /** Router error handler for a status Vert.x answers by itself (no such route, wrong method, ...). */
    public static Handler<RoutingContext> forStatus(int status) {
        return ctx -> send(ctx, status, codeFor(status), messageFor(status));
    }

    /**
     * Router failure handler: maps {@link ApiException} (with its {@code Retry-After}, e.g. the
     * store's 503 {@code store_busy}), plain status failures and the rest.
     */
    public static void handleFailure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof ApiException api) {
            api.retryAfterSeconds().ifPresent(seconds -> ctx.response().putHeader("Retry-After", Long.toString(seconds)));
            send(ctx, api.status(), api.code(), api.getMessage());
            return;
        }
        int status = ctx.statusCode();
        if (status >= 400 && status < 500) {
            // A client mistake found by Vert.x itself (undecodable form or path, oversized body, ...):
            // its status stands; the cause's text is not shown, it may quote the input.
            send(ctx, status, codeFor(status), messageFor(status));
            return;
        }
        log.atError()
                .setCause(failure)
                .addKeyValue("requestId", RequestIds.get(ctx))
                .addKeyValue("status", status)
                .log("unhandled failure");
        send(ctx, 500, "internal_error", "An internal error occurred; quote the request id when reporting it.");
    }

    static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "body_too_large";
            case 415 -> "unsupported_media_type";
            case 429 -> "rate_limited";
            default -> "http_" + status;
        };
    }

    static String messageFor(int status) {
        return switch (status) {
            case 404 -> "No such resource.";
            case 405 -> "Method not allowed for this resource.";
            case 413 -> "Request body exceeds the configured limit.";
            default -> HttpResponseStatus.valueOf(status).reasonPhrase() + ".";
        };
    }
}
