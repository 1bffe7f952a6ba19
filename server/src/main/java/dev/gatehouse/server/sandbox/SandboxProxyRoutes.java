package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.BearerAuth;
import dev.gatehouse.server.http.EventLoopClients;
import dev.gatehouse.server.http.Routes;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyOptions;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code /sandboxes/{id}/...}: HTTP, Server-Sent Events and WebSocket relayed to the caller's own
 * running sandbox, by vertx-http-proxy, once the session is checked (a Keycloak access token or a
 * local session; another user's sandbox, even an organization admin's view of it, is 404 like one
 * that does not exist or was deleted). A pending sandbox answers 503 {@code sandbox_starting} with
 * {@code Retry-After}, an ended one 409 {@code sandbox_not_running} with its reason. Bodies stream
 * both ways, never buffered; what changes on the way is {@link ProxyInterceptors}'s. Every proxied
 * request (and an open connection, for as long as it is open) counts as the sandbox's activity.
 */
public final class SandboxProxyRoutes implements Routes {
    public static final String PREFIX = "/sandboxes/";
    private static final ProxyOptions OPTIONS = new ProxyOptions().setSupportWebSocket(true);

    private final BearerAuth auth;
    private final SandboxDirectory directory;
    private final SandboxActivity activity;
    private final EventLoopClients clients;

    /** @param clients reach the runtimes (keep-alive), one client per event loop; owned by the caller */
    public SandboxProxyRoutes(TokenVerifier callers, SandboxDirectory directory, SandboxActivity activity,
            EventLoopClients clients) {
        this.auth = new BearerAuth(requireNonNull(callers, "callers"), Set.of(TokenType.SESSION));
        this.directory = requireNonNull(directory, "directory");
        this.activity = requireNonNull(activity, "activity");
        this.clients = requireNonNull(clients, "clients");
    }

    @Override
    public List<String> ownBodyLimitPrefixes() {
        // Bodies stream to the runtime, which bounds them itself.
        return List.of(PREFIX);
    }

    @Override
    public void register(Router router) {
        router.route(PREFIX + ":id/*").handler(this::slashAfterId).handler(auth).handler(this::proxy);
    }

    /** {@code /sandboxes/{id}} → {@code /sandboxes/{id}/}, so that a page's relative links resolve inside the sandbox. */
    private void slashAfterId(RoutingContext ctx) {
        if (ctx.request().path().equals(PREFIX + ctx.pathParam("id"))) {
            ctx.redirect(ctx.request().uri().replaceFirst("^([^?]*)", "$1/"));
            return;
        }
        ctx.next();
    }

    private void proxy(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        request.pause();
        String id = ctx.pathParam("id");
        Optional<Optional<Sandbox>> cached = directory.cached(id);
        if (cached.isPresent()) {
            relay(ctx, id, cached.get());
            return;
        }
        ctx.vertx().executeBlocking(() -> directory.load(id), false).onComplete(loaded -> {
            if (loaded.failed()) {
                request.resume();
                ctx.fail(loaded.cause());
                return;
            }
            relay(ctx, id, loaded.result());
        });
    }

    private void relay(RoutingContext ctx, String id, Optional<Sandbox> found) {
        Claims caller = BearerAuth.claims(ctx);
        Optional<Sandbox> sandbox = found.filter(candidate -> !candidate.deleted() && owns(caller, candidate));
        if (sandbox.isEmpty()) {
            refuse(ctx, SandboxRoutes.notFound(id));
            return;
        }
        Sandbox target = sandbox.get();
        if (target.status() == SandboxStatus.PENDING) {
            ctx.response().putHeader("Retry-After", "1");
            refuse(ctx, new ApiException(503, "sandbox_starting", "The sandbox is starting; retry in a moment."));
            return;
        }
        if (target.status() != SandboxStatus.RUNNING || target.endpoint().isEmpty()) {
            refuse(ctx, new ApiException(409, "sandbox_not_running", "The sandbox is " + target.status().value()
                    + target.reason().map(reason -> ": " + reason).orElse(".")));
            return;
        }
        String prefix = PREFIX + id;
        String uri = ctx.request().uri();
        String path = uri.length() > prefix.length() ? uri.substring(prefix.length()) : "/";
        Runnable ended = countAsActivity(ctx, id);
        SandboxEndpoint endpoint = target.endpoint().get();
        HttpProxy.reverseProxy(OPTIONS, clients.current())
                .origin(endpoint.port(), endpoint.host())
                .addInterceptor(new ProxyInterceptors(prefix, path, ended), true)
                .handle(ctx.request());
    }

    /**
     * The request counts as the sandbox's activity until it ends: when its response ends, or — once
     * upgraded to a WebSocket, when the request's end handlers no longer run — when the returned
     * action is run (by {@link ProxyInterceptors}, at the WebSocket's end).
     */
    private Runnable countAsActivity(RoutingContext ctx, String id) {
        activity.opened(id);
        AtomicBoolean ended = new AtomicBoolean();
        Runnable end = () -> {
            if (ended.compareAndSet(false, true)) {
                activity.closed(id);
            }
        };
        ctx.addEndHandler(done -> {
            if (ctx.response().getStatusCode() != 101) {
                end.run();
            }
        });
        return end;
    }

    /** Only the owner may reach into a sandbox; an organization admin may see and stop it, not use it. */
    private static boolean owns(Claims caller, Sandbox sandbox) {
        return caller.organization().map(organization -> new SandboxOwner(caller.subject(), caller.issuer(),
                organization, false).owns(sandbox)).orElse(false);
    }

    private static void refuse(RoutingContext ctx, ApiException refusal) {
        ctx.request().resume();
        ctx.fail(refusal);
    }
}
