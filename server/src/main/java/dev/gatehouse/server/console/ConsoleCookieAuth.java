package dev.gatehouse.server.console;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.crypto.SecretVault;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.identity.IdentityConfig;
import java.net.URI;
import dev.gatehouse.server.http.ContextKey;
import dev.gatehouse.server.http.CookieSession;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.store.Database;
import java.time.Clock;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Runs in front of every route: a request with the console's session cookie and no
 * {@code Authorization} header, on a path the console calls, is authenticated as the session's
 * principal ({@link CookieSession}), so the console calls exactly the API a bearer token does, with
 * the same checks. A state-changing request must also carry the session's CSRF token in
 * {@value #CSRF_HEADER} (compared in constant time), else 403 {@code csrf_token_invalid}; a bearer
 * call needs none. A cookie of no live session authenticates nothing (the route then answers 401), nor
 * does one on a request another site's page made (see {@link #fromTheConsolesOwnPages}).
 *
 * <p>A sandbox reached this way is answered under {@code Content-Security-Policy: sandbox}: its pages
 * run in an opaque origin, so nothing a sandbox serves can use the console's session.
 */
public final class ConsoleCookieAuth implements Handler<RoutingContext> {
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final ContextKey<ActiveSession> SESSION = ContextKey.named("gatehouse.console.session");
    private static final List<String> PREFIXES = List.of("/console/", "/auth/", "/api/", "/admin/", "/sandboxes/");
    private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);
    private static final String SANDBOX_POLICY = "sandbox allow-scripts allow-forms allow-popups allow-downloads";

    private final SessionChecks sessions;

    ConsoleCookieAuth(SessionChecks sessions) {
        this.sessions = requireNonNull(sessions, "sessions");
    }

    /**
     * The handler of a process whose store is {@code database}; every role's routes sit behind it.
     *
     * @param callers verifies the access tokens a Keycloak session's checks bring
     * @param vault opens the sessions' sealed refresh tokens
     */
    public static Routes inFrontOfEveryRoute(Database database, ConsoleConfig config, IdentityConfig identity,
            TokenVerifier callers, URI publicUrl, SecretVault vault, Clock clock) {
        ConsoleCookieAuth handler = new ConsoleCookieAuth(new SessionChecks(new ConsoleSessions(database, config, vault,
                clock), new KeycloakSignIn(identity, config, publicUrl, callers)));
        return router -> router.route().handler(handler);
    }

    /** The console session of this request and the id its cookie holds. */
    record ActiveSession(String id, ConsoleSession session) {}

    /** The request's live console session, when it came with one. */
    static Optional<ActiveSession> session(RoutingContext ctx) {
        return Optional.ofNullable(SESSION.get(ctx));
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        // Cheapest first: every gateway call carries Authorization and is done here, its cookies unparsed.
        if (request.getHeader("Authorization") != null || !consoleCalls(ctx.normalizedPath())) {
            ctx.next();
            return;
        }
        Optional<String> id = ConsoleCookies.session(request);
        if (id.isEmpty() || !fromTheConsolesOwnPages(request)) {
            ctx.next();
            return;
        }
        if (!request.isEnded()) {
            request.pause();
        }
        ctx.vertx().executeBlocking(() -> sessions.current(id.get()), false).onComplete(found -> {
            if (!request.isEnded()) {
                request.resume();
            }
            if (found.failed()) {
                ctx.fail(found.cause());
                return;
            }
            if (found.result().isEmpty()) {
                ctx.next();
                return;
            }
            ConsoleSession session = found.result().get();
            if (!SAFE.contains(request.method())
                    && !RandomSecrets.matches(session.csrfToken(), request.getHeader(CSRF_HEADER))) {
                ctx.fail(new ApiException(403, "csrf_token_invalid", "A state-changing call with the console's"
                        + " session cookie needs the session's CSRF token in " + CSRF_HEADER + "."));
                return;
            }
            SESSION.put(ctx, new ActiveSession(id.get(), session));
            CookieSession.authenticate(ctx, session.principal());
            if (ctx.normalizedPath().startsWith("/sandboxes/")) {
                ctx.addHeadersEndHandler(v -> ctx.response().headers().add("Content-Security-Policy", SANDBOX_POLICY));
            }
            ctx.next();
        });
    }

    /**
     * Whether a browser says the request comes from this origin or from the person themselves: the
     * cookie is SameSite=Strict, but a sibling subdomain is "same-site", so a request another page made
     * (a WebSocket to a sandbox, say) is not let in on the cookie. {@code Sec-Fetch-Site} decides where
     * the browser sends it; else an {@code Origin} must name this host.
     */
    private static boolean fromTheConsolesOwnPages(HttpServerRequest request) {
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null) {
            return site.equals("same-origin") || site.equals("none");
        }
        String origin = request.getHeader("Origin");
        String host = request.getHeader("Host");
        return origin == null || host != null && (origin.equals("https://" + host) || origin.equals("http://" + host));
    }

    private static boolean consoleCalls(String path) {
        for (String prefix : PREFIXES) {
            if (path.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
