package dev.gatehouse.server.byos;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.TokenRejectedException;
import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.audit.RequestOrigins;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.BearerAuth;
import dev.gatehouse.server.http.JsonBody;
import dev.gatehouse.server.http.Routes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * The subscription API, under {@value #BASE}, for sessions (a Keycloak access token or a local session):
 * <ul>
 *   <li>{@code GET /api/v1/sandbox/byos} → the configured providers and the caller's connections;
 *   <li>{@code POST …/{provider}/start} {@code {"return_to"?}} → {@code {"authorize_url"}}: send the
 *       browser there;
 *   <li>{@code GET …/{provider}/callback} (no session: the browser comes back from the provider) →
 *       303 to {@code return_to} or {@code byos.consoleUrl} with {@code ?byos=&outcome=}, or a short
 *       page when no console URL is configured;
 *   <li>{@code GET …/{provider}/status} → connected or not, scopes, expiry, last refresh and error;
 *   <li>{@code PUT …/{provider}/key} {@code {"key"}} → a pasted key, never shown again;
 *   <li>{@code DELETE …/{provider}} → revoked at the provider when it can be, deleted here.
 * </ul>
 * No response carries a token or key. Store and provider work runs off the event loop.
 */
public final class ByosRoutes implements Routes {
    static final String BASE = "/api/v1/sandbox/byos";
    static final long MAX_BODY_BYTES = 16 * 1024;
    private static final String PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

    private final BearerAuth auth;
    private final TokenVerifier callers;
    private final Subscriptions subscriptions;
    private final ByosConfig config;

    public ByosRoutes(TokenVerifier callers, Subscriptions subscriptions, ByosConfig config) {
        this.callers = requireNonNull(callers, "callers");
        this.auth = new BearerAuth(callers, Set.of(TokenType.SESSION));
        this.subscriptions = requireNonNull(subscriptions, "subscriptions");
        this.config = requireNonNull(config, "config");
    }

    @Override
    public void register(Router router) {
        for (String path : List.of(BASE, BASE + "/:provider", BASE + "/:provider/start", BASE + "/:provider/status",
                BASE + "/:provider/key")) {
            router.route(path).handler(auth);
        }
        router.get(BASE).handler(this::list);
        router.post(BASE + "/:provider/start").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .handler(this::start);
        router.get(BASE + "/:provider/callback").handler(this::callback);
        router.get(BASE + "/:provider/status").handler(this::status);
        router.put(BASE + "/:provider/key").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .handler(this::saveKey);
        router.delete(BASE + "/:provider").handler(this::disconnect);
    }

    private void list(RoutingContext ctx) {
        ByosOwner owner = owner(ctx);
        blocking(ctx, () -> {
            JsonArray providers = new JsonArray();
            for (ByosProvider provider : config.providers()) {
                providers.add(status(provider.name(), subscriptions.status(owner, provider.name())));
            }
            return providers;
        }, providers -> json(ctx, 200, new JsonObject().put("providers", providers)));
    }

    private void start(RoutingContext ctx) {
        ByosOwner owner = owner(ctx);
        Optional<String> returnTo = body(ctx, "{\"return_to\": \"https://console.example.com/settings\"}",
                List.of("return_to")).flatMap(body -> text(body, "return_to"));
        String provider = ctx.pathParam("provider");
        blocking(ctx, () -> subscriptions.start(owner, provider, returnTo), started -> json(ctx, 200,
                new JsonObject().put("authorize_url", started.authorizeUrl().toString())
                        .put("expires_at", started.expiresAt().toString())));
    }

    private void callback(RoutingContext ctx) {
        String provider = ctx.pathParam("provider");
        Optional<String> state = Optional.ofNullable(ctx.queryParams().get("state"));
        Optional<String> code = Optional.ofNullable(ctx.queryParams().get("code"));
        Optional<String> error = Optional.ofNullable(ctx.queryParams().get("error"));
        Optional<String> authorization = Optional.ofNullable(ctx.request().getHeader("Authorization"));
        var origin = RequestOrigins.of(ctx);
        blocking(ctx, () -> subscriptions.callback(provider, state, code, error, caller(authorization), origin),
                outcome -> finish(ctx, outcome));
    }

    /** The user a session on the callback names, if the request carries one (a console or a CLI may send it). */
    private Optional<ByosOwner> caller(Optional<String> authorization) {
        if (authorization.isEmpty()) {
            return Optional.empty();
        }
        String value = authorization.get();
        if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(401, "invalid_token", "Authorization: expected a Bearer session.");
        }
        try {
            Claims claims = callers.verify(value.substring(7).strip());
            if (claims.type() != TokenType.SESSION) {
                throw new ApiException(401, "wrong_token_type",
                        "A token of type " + claims.type().claimValue() + " cannot be used here.");
            }
            return Optional.of(owner(claims));
        } catch (TokenRejectedException e) {
            throw new ApiException(401, "invalid_token", "The session on this request was refused.");
        }
    }

    /** Sends the browser on with the outcome, never with the code or state it came with. */
    private void finish(RoutingContext ctx, CallbackOutcome outcome) {
        ctx.response().putHeader("Cache-Control", "no-store").putHeader("Referrer-Policy", "no-referrer");
        Optional<URI> target = outcome.returnTo().or(config::consoleUrl);
        if (target.isPresent()) {
            String query = "byos=" + encode(outcome.provider()) + "&outcome=" + outcome.outcome()
                    + outcome.error().map(error -> "&error=" + encode(error)).orElse("");
            String base = target.get().toASCIIString();
            ctx.response().setStatusCode(303)
                    .putHeader("Location", base + (target.get().getRawQuery() == null ? "?" : "&") + query)
                    .end();
            return;
        }
        String message = outcome.isConnected()
                ? "Your " + outcome.provider() + " subscription is connected. You can close this window."
                : "Connecting your " + outcome.provider() + " subscription did not work (" + outcome.error().orElseThrow()
                        + "). Close this window and start again.";
        ctx.response().setStatusCode(outcome.isConnected() ? 200 : 400)
                .putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Content-Security-Policy", PAGE_POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .end("<!doctype html><meta charset=\"utf-8\"><title>Gatehouse</title>"
                        + "<p style=\"font-family:sans-serif\">" + escape(message) + "</p>\n");
    }

    private void status(RoutingContext ctx) {
        ByosOwner owner = owner(ctx);
        String provider = ctx.pathParam("provider");
        blocking(ctx, () -> status(provider, subscriptions.status(owner, provider)), status -> json(ctx, 200, status));
    }

    private void saveKey(RoutingContext ctx) {
        ByosOwner owner = owner(ctx);
        String key = body(ctx, "{\"key\": \"sk-...\"}", List.of("key")).flatMap(body -> text(body, "key"))
                .orElseThrow(() -> ApiException.badRequest("invalid_field", "key: missing (expected: {\"key\": \"...\"})"));
        String provider = ctx.pathParam("provider");
        var origin = RequestOrigins.of(ctx);
        blocking(ctx, () -> status(provider, Optional.of(subscriptions.saveKey(owner, provider, key, origin))),
                status -> json(ctx, 200, status));
    }

    private void disconnect(RoutingContext ctx) {
        ByosOwner owner = owner(ctx);
        String provider = ctx.pathParam("provider");
        var origin = RequestOrigins.of(ctx);
        blocking(ctx, () -> subscriptions.disconnect(owner, provider, origin), revocation -> {
            if (revocation.isEmpty()) {
                ctx.fail(new ApiException(404, "not_connected", "You have no subscription of " + provider + " connected."));
                return;
            }
            json(ctx, 200, new JsonObject().put("provider", provider).put("connected", false)
                    .put("revocation", revocation.get().value()));
        });
    }

    private JsonObject status(String provider, Optional<Connection> connection) {
        JsonObject json = new JsonObject().put("provider", provider).put("oauth", subscriptions.offersOAuth(provider))
                .put("connected", connection.isPresent());
        connection.ifPresent(found -> json
                .put("kind", found.kind().value())
                .put("status", found.status().value())
                .put("scopes", new JsonArray(found.scopes()))
                .put("expires_at", found.expiresAt().map(Instant::toString).orElse(null))
                .put("connected_at", found.connectedAt().toString())
                .put("last_refresh_at", found.lastRefreshAt().map(Instant::toString).orElse(null))
                .put("last_error", found.lastError().orElse(null)));
        return json;
    }

    private static Optional<JsonNode> body(RoutingContext ctx, String example, List<String> fields) {
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        if (body.length == 0) {
            return Optional.empty();
        }
        String contentType = Optional.ofNullable(ctx.request().getHeader("Content-Type")).orElse("")
                .toLowerCase(Locale.ROOT);
        if (!contentType.startsWith("application/json")) {
            throw new ApiException(415, "unsupported_media_type",
                    "Content-Type must be application/json (curl: -H 'Content-Type: application/json').");
        }
        return Optional.of(JsonBody.object(body, example, fields));
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw ApiException.badRequest("invalid_field", field + ": " + JsonBody.type(node) + " (expected: a string)");
        }
        return Optional.of(node.textValue());
    }

    private static ByosOwner owner(RoutingContext ctx) {
        return owner(BearerAuth.claims(ctx));
    }

    private static ByosOwner owner(Claims session) {
        String organization = session.organization().orElseThrow(() -> new ApiException(403, "organization_required",
                "Your session names no organization; a subscription is connected within one."));
        return new ByosOwner(session.subject(), session.issuer(), organization);
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(body.toBuffer());
    }

    /** Runs {@code work} off the event loop; a failure (an {@link ApiException} refusal or not) goes to the failure handler. */
    private static <T> void blocking(RoutingContext ctx, Callable<T> work, Consumer<T> then) {
        ctx.vertx().executeBlocking(work, false)
                .onSuccess(then::accept)
                .onFailure(ctx::fail);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
