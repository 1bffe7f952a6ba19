package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.audit.RequestOrigins;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.BearerAuth;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.http.Shown;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * The sandbox API, for sessions (a Keycloak access token or a local session):
 * <ul>
 *   <li>{@code POST /api/v1/sandbox/sessions} {@code {"name"?, "profile"?, "model"?, "mode"?,
 *       "provider"?}} → 201 with the sandbox (pending, or failed with a reason); 400 {@code
 *       unknown_profile}/{@code unknown_model}/bad body, 409 {@code too_many_sandboxes}, 415, 413 above
 *       {@value #MAX_BODY_BYTES} bytes; in BYOS mode also 409 {@code subscription_not_connected}/{@code
 *       subscription_broken}, 503 {@code provider_not_configured};
 *   <li>{@code GET /api/v1/sandbox/sessions} → the caller's own; {@code ?scope=organization} every
 *       sandbox of the caller's organization (needs {@value SandboxOwner#ORG_ADMIN});
 *   <li>{@code GET /api/v1/sandbox/sessions/{id}} → one;
 *   <li>{@code DELETE /api/v1/sandbox/sessions/{id}} → 204: tokens revoked, runtime removed.
 * </ul>
 * Someone else's sandbox, another organization's, a deleted one or none at all: 404, alike. Store
 * and backend work runs off the event loop.
 */
public final class SandboxRoutes implements Routes {
    static final String BASE = "/api/v1/sandbox/sessions";
    static final long MAX_BODY_BYTES = 16 * 1024;

    private final BearerAuth auth;
    private final Sandboxes sandboxes;
    private final SandboxConfig config;

    public SandboxRoutes(TokenVerifier callers, Sandboxes sandboxes, SandboxConfig config) {
        this.auth = new BearerAuth(requireNonNull(callers, "callers"), Set.of(TokenType.SESSION));
        this.sandboxes = requireNonNull(sandboxes, "sandboxes");
        this.config = requireNonNull(config, "config");
    }

    @Override
    public void register(Router router) {
        router.route(BASE).handler(auth);
        router.route(BASE + "/:id").handler(auth);
        // A route of its own, so that the body is read only once the caller is authenticated.
        router.post(BASE).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES)).handler(this::create);
        router.get(BASE).handler(this::list);
        router.get(BASE + "/:id").handler(this::get);
        router.delete(BASE + "/:id").handler(this::delete);
    }

    private void create(RoutingContext ctx) {
        String contentType = Optional.ofNullable(ctx.request().getHeader("Content-Type")).orElse("")
                .toLowerCase(Locale.ROOT);
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        if (body.length > 0 && !contentType.startsWith("application/json")) {
            throw new ApiException(415, "unsupported_media_type",
                    "Content-Type must be application/json (curl: -H 'Content-Type: application/json').");
        }
        NewSandbox request = NewSandbox.parse(body);
        var origin = RequestOrigins.of(ctx);
        blocking(ctx, () -> sandboxes.create(owner(ctx), request, origin), sandbox -> ctx.response()
                .setStatusCode(201)
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .putHeader("Location", BASE + "/" + sandbox.id())
                .end(json(sandbox).toBuffer()));
    }

    private void list(RoutingContext ctx) {
        String scope = Optional.ofNullable(ctx.queryParams().get("scope")).orElse("own");
        if (!scope.equals("own") && !scope.equals("organization")) {
            throw ApiException.badRequest("invalid_parameter", "scope: " + Shown.quote(scope)
                    + " (expected: own or organization)");
        }
        blocking(ctx, () -> sandboxes.list(owner(ctx), scope.equals("organization")), found -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(new JsonObject().put("sandboxes", new JsonArray(found.stream().map(this::json).toList()))
                        .toBuffer()));
    }

    private void get(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        blocking(ctx, () -> sandboxes.find(owner(ctx), id), found -> {
            if (found.isEmpty()) {
                ctx.fail(notFound(id));
                return;
            }
            ctx.response()
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store")
                    .end(json(found.get()).toBuffer());
        });
    }

    private void delete(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        var origin = RequestOrigins.of(ctx);
        blocking(ctx, () -> sandboxes.delete(owner(ctx), id, origin), deleted -> {
            if (!deleted) {
                ctx.fail(notFound(id));
                return;
            }
            ctx.response().setStatusCode(204).end();
        });
    }

    private static SandboxOwner owner(RoutingContext ctx) {
        return SandboxOwner.of(BearerAuth.claims(ctx));
    }

    static ApiException notFound(String id) {
        return ApiException.notFound("No sandbox " + Shown.quote(id) + " of yours.");
    }

    /** Runs {@code work} off the event loop; a failure (an {@link ApiException} refusal or not) goes to the failure handler. */
    private static <T> void blocking(RoutingContext ctx, Callable<T> work, Consumer<T> then) {
        ctx.vertx().executeBlocking(work, false)
                .onSuccess(then::accept)
                .onFailure(ctx::fail);
    }

    JsonObject json(Sandbox sandbox) {
        return new JsonObject()
                .put("id", sandbox.id())
                .put("name", sandbox.name().orElse(null))
                .put("profile", sandbox.profile())
                .put("model", sandbox.model().orElse(null))
                .put("mode", sandbox.mode())
                .put("provider", sandbox.provider().orElse(null))
                .put("status", sandbox.status().value())
                .put("reason", sandbox.reason().orElse(null))
                .put("organization", sandbox.organization())
                .put("owner", sandbox.ownerSubject())
                .put("created_at", sandbox.createdAt().toString())
                .put("running_at", sandbox.runningAt().map(Instant::toString).orElse(null))
                .put("ended_at", sandbox.endedAt().map(Instant::toString).orElse(null))
                .put("last_active_at", sandbox.lastActiveAt().toString())
                .put("expires_at", sandbox.createdAt().plus(config.maxLifetime()).toString())
                .put("url", SandboxProxyRoutes.PREFIX + sandbox.id() + "/");
    }
}
