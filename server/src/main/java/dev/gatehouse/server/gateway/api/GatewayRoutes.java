package dev.gatehouse.server.gateway.api;

import dev.gatehouse.server.gateway.ErrorShape;
import dev.gatehouse.server.gateway.GatewayCaller;
import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.channels.Channels;
import dev.gatehouse.server.gateway.relay.Endpoint;
import dev.gatehouse.server.gateway.relay.Pipeline;
import dev.gatehouse.server.http.ContextKey;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.http.Shown;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Optional;
import static java.util.Objects.requireNonNull;


/**
 * The gateway API (role {@code gateway}):
 * <ul>
 *   <li>{@code POST /v1/chat/completions}, {@code /v1/completions}, {@code /v1/embeddings}, OpenAI's
 *       {@code /v1/responses}, and Anthropic's {@code /v1/messages} and {@code
 *       /v1/messages/count_tokens}: relayed to a channel (see {@link Pipeline} and {@link Endpoint});
 *   <li>{@code GET /v1/models}: the models the caller may use, in OpenAI's list shape; {@code
 *       ?provider=} narrows it to one provider; {@code GET /v1/models/{id}} one of them (404 for
 *       any model the caller may not use);
 *   <li>any other {@code /v1/} path 404, a wrong method 405.
 * </ul>
 * Every response under {@code /v1/} that is an error has OpenAI's shape {@code {"error": {message,
 * type, param, code}}} (Anthropic's under {@code /v1/messages}), including 413 for a body above
 * {@code gateway.maxRequestBytes} (which replaces {@code server.maxBodyBytes} here). Authentication runs first, before the body is read; the
 * token comes as {@code Authorization: Bearer} or, as Anthropic's SDKs send it, {@code x-api-key}.
 */
public final class GatewayRoutes implements Routes {
    private static final ContextKey<GatewayCaller> CALLER = ContextKey.named("gatehouse.gateway.caller");
    private static final ContextKey<Long> START = ContextKey.named("gatehouse.gateway.start");

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

    /** Only the gateway serves {@code /v1}, and every model call comes through it. */
    @Override
    public boolean matchedFirst() {
        return true;
    }

    @Override
    public void register(Router router) {
        router.route("/v1/*").handler(this::authenticate).failureHandler(GatewayRoutes::failure);
        router.get("/v1/models").handler(this::models);
        // Model names may hold slashes (Qwen/Qwen3-8B): the id is the rest of the path.
        router.getWithRegex("/v1/models/(?<id>.+)").handler(this::model);
        for (Endpoint endpoint : Endpoint.values()) {
            router.post(endpoint.path())
                    .handler(BodyHandler.create(false).setBodyLimit(maxRequestBytes))
                    .handler(ctx -> pipeline.handle(ctx, CALLER.get(ctx), endpoint, START.get(ctx)));
        }
        router.route("/v1/*").handler(GatewayRoutes::notFoundOrWrongMethod);
    }

    private void authenticate(RoutingContext ctx) {
        START.put(ctx, System.nanoTime());
        CALLER.put(ctx, credentials.authenticate(ctx.request().getHeader("Authorization"),
                ctx.request().getHeader(GatewayCredentials.API_KEY_HEADER)));
        ctx.next();
    }

    private void models(RoutingContext ctx) {
        GatewayCaller caller = CALLER.get(ctx);
        Optional<String> provider = Optional.ofNullable(ctx.queryParams().get("provider")).filter(p -> !p.isBlank());
        JsonArray data = new JsonArray();
        channels.models(provider, caller).forEach((model, owner) -> data.add(modelObject(model, owner)));
        ctx.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("object", "list").put("data", data).toBuffer());
    }

    /** One model the caller may use, in OpenAI's model shape; 404 for any other. */
    private void model(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        String owner = channels.models(Optional.empty(), CALLER.get(ctx)).get(id);
        if (owner == null) {
            throw new GatewayException(404, "invalid_request_error", "model_not_found", "The model "
                    + Shown.quote(id) + " does not exist or you do not have access to it.", "model", -1);
        }
        ctx.response().putHeader("Content-Type", "application/json").end(modelObject(id, owner).toBuffer());
    }

    private static JsonObject modelObject(String id, String owner) {
        return new JsonObject().put("id", id).put("object", "model").put("created", 0).put("owned_by", owner);
    }

    private static void notFoundOrWrongMethod(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        boolean models = path.equals("/v1/models") || path.startsWith("/v1/models/");
        if (Endpoint.at(path).isPresent() || models) {
            ctx.response().putHeader("Allow", models ? "GET" : "POST");
            throw new GatewayException(405, "invalid_request_error", "method_not_allowed",
                    "Method " + ctx.request().method().name() + " is not allowed here.");
        }
        throw new GatewayException(404, "invalid_request_error", "unknown_url", "No such gateway endpoint.");
    }

    /** Every failure under /v1/ in the endpoint's shape (OpenAI's, Anthropic's under /v1/messages); unexpected ones as a bare 500. */
    static void failure(RoutingContext ctx) {
        Throwable cause = ctx.failure();
        ErrorShape shape = Endpoint.errorShape(ctx.normalizedPath());
        if (cause instanceof GatewayException gateway) {
            gateway.send(ctx, shape);
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
        mapped.send(ctx, shape);
    }
}
