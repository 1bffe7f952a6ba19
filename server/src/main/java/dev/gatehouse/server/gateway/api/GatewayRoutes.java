package dev.gatehouse.server.gateway.api;

import dev.gatehouse.server.gateway.GatewayCaller;
import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.channels.Channels;
import dev.gatehouse.server.gateway.relay.Pipeline;
import dev.gatehouse.server.http.ContextKey;
import dev.gatehouse.server.http.Routes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import static java.util.Objects.requireNonNull;


/**
 * The OpenAI-compatible gateway API (role {@code gateway}):
 * <ul>
 *   <li>{@code POST /v1/chat/completions}, {@code /v1/completions}, {@code /v1/embeddings}: relayed
 *       to a channel (see {@link Pipeline});
 *   <li>{@code GET /v1/models}: the models the caller may use, in OpenAI's list shape; {@code
 *       ?provider=} narrows it to one provider;
 *   <li>any other {@code /v1/} path 404, a wrong method 405.
 * </ul>
 * Every response under {@code /v1/} that is an error has OpenAI's shape {@code {"error": {message,
 * type, param, code}}}, including 413 for a body above {@code gateway.maxRequestBytes} (which
 * replaces {@code server.maxBodyBytes} here). Authentication runs first, before the body is read.
 */
public final class GatewayRoutes implements Routes {
    private static final ContextKey<GatewayCaller> CALLER = ContextKey.named("gatehouse.gateway.caller");
    private static final ContextKey<Long> START = ContextKey.named("gatehouse.gateway.start");
    private static final Map<String, String> RELAYED = Map.of(
            "/v1/chat/completions", "/chat/completions",
            "/v1/completions", "/completions",
            "/v1/embeddings", "/embeddings");

    private final GatewayCredentials credentials;
    private final Channels channels;
    private final Pipeline pipeline;
    private final long maxRequestBytes;

    public GatewayRoutes(GatewayCredentials credentials, Channels channels, Pipeline pipeline, long maxRequestBytes) {
        this.credentials = requireNonNull(credentials, "credentials");
        this.channels = requireNonNull(channels, "channels");
        this.pipeline = requireNonNull(pipeline, "pipeline");
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    public List<String> ownBodyLimitPrefixes() {
        return List.of("/v1/");
    }

    @Override
    public void register(Router router) {
        router.route("/v1/*").handler(this::authenticate).failureHandler(GatewayRoutes::failure);
        router.get("/v1/models").handler(this::models);
        RELAYED.forEach((path, upstreamPath) -> router.post(path)
                .handler(BodyHandler.create(false).setBodyLimit(maxRequestBytes))
                .handler(ctx -> pipeline.handle(ctx, CALLER.get(ctx), upstreamPath, START.get(ctx))));
        router.route("/v1/*").handler(GatewayRoutes::notFoundOrWrongMethod);
    }

    private void authenticate(RoutingContext ctx) {
        START.put(ctx, System.nanoTime());
        CALLER.put(ctx, credentials.authenticate(ctx.request().getHeader("Authorization")));
        ctx.next();
    }

    private void models(RoutingContext ctx) {
        GatewayCaller caller = CALLER.get(ctx);
        Optional<String> provider = Optional.ofNullable(ctx.queryParams().get("provider")).filter(p -> !p.isBlank());
        JsonArray data = new JsonArray();
        channels.models(provider, caller).forEach((model, owner) -> data.add(new JsonObject()
                .put("id", model).put("object", "model").put("created", 0).put("owned_by", owner)));
        ctx.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("object", "list").put("data", data).toBuffer());
    }

    private static void notFoundOrWrongMethod(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (RELAYED.containsKey(path) || path.equals("/v1/models")) {
            ctx.response().putHeader("Allow", path.equals("/v1/models") ? "GET" : "POST");
            throw new GatewayException(405, "invalid_request_error", "method_not_allowed",
                    "Method " + ctx.request().method().name() + " is not allowed here.");
        }
        throw new GatewayException(404, "invalid_request_error", "unknown_url", "No such gateway endpoint.");
    }

    /** Every failure under /v1/ in OpenAI's shape; unexpected ones as a bare 500. */
    static void failure(RoutingContext ctx) {
        Throwable cause = ctx.failure();
        if (cause instanceof GatewayException gateway) {
            gateway.send(ctx);
            return;
        }
        int status = ctx.statusCode();
        GatewayException mapped = switch (status) {
            case 413 -> new GatewayException(413, "invalid_request_error", "request_too_large",
                    "The request body exceeds the gateway's limit.");
            case 400 -> GatewayException.invalidRequest("invalid_request", "The request could not be read.", null);
            default -> null;
        };
        if (mapped == null && status >= 400 && status < 500) {
            mapped = new GatewayException(status, "invalid_request_error", "http_" + status, "The request was refused.");
        }
        if (mapped == null) {
            org.slf4j.LoggerFactory.getLogger(GatewayRoutes.class).atError().setCause(cause)
                    .log("unhandled gateway failure");
            mapped = new GatewayException(500, "api_error", "internal_error",
                    "An internal error occurred; quote the request id when reporting it.");
        }
        if (status == 413 && ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) {
            // The unread body must not poison an HTTP/1 connection (HTTP/2 resets just the stream).
            ctx.response().putHeader("Connection", "close");
        }
        mapped.send(ctx);
    }
}
