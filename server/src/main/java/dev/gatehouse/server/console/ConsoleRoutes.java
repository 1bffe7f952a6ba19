package dev.gatehouse.server.console;

import static java.util.Objects.requireNonNull;

import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.server.console.ConsoleCookieAuth.ActiveSession;
import dev.gatehouse.server.console.ConsoleSession.SignInMethod;
import dev.gatehouse.server.console.KeycloakSignIn.Realm;
import dev.gatehouse.server.console.PendingSignIns.PendingSignIn;
import dev.gatehouse.server.console.KeycloakSignIn.SignInException;
import dev.gatehouse.server.crypto.SecretVault;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.identity.IdentityConfig;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.sdk.verify.TokenVerifier;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console, {@value #BASE}: its static pages, and the backend-for-frontend that signs people in
 * and out. The pages call the same API as any client; {@link ConsoleCookieAuth} lets them do so with the
 * session cookie instead of a token.
 * <ul>
 *   <li>{@code GET /console/api/session}: who is signed in (with the CSRF token), or how to sign in;
 *   <li>{@code POST /console/login/local} {@code {"user","organization","capabilities"?}}: the
 *       development-only local sign-in, when {@code identity.local} is on, from this machine only;
 *   <li>{@code GET /console/login/keycloak?issuer=N} and {@code GET /console/callback}: Keycloak sign-in;
 *   <li>{@code POST /console/logout}: ends the session on every replica (and names Keycloak's
 *       end-session URL for a Keycloak session).
 * </ul>
 * Every console response forbids framing and inline script ({@link #POLICY}).
 */
public final class ConsoleRoutes implements Routes {
    static final String BASE = "/console/";
    static final String CALLBACK_PATH = "/console/callback";
    static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final long MAX_BODY_BYTES = 4 * 1024;
    private static final Logger log = LoggerFactory.getLogger(ConsoleRoutes.class);

    private final ConsoleSessions sessions;
    private final PendingSignIns pendingSignIns;
    private final ConsoleAssets assets = new ConsoleAssets();
    private final KeycloakSignIn keycloak;
    private final LocalSignIn local;
    private final boolean https;
    private final Clock clock;

    /** The console of a process: sessions in {@code database}, Keycloak realms and local sign-in as {@code identity} says. */
    public static ConsoleRoutes of(Database database, ConsoleConfig config, IdentityConfig identity, TokenVerifier callers,
            URI gatehouseIssuer, URI publicUrl, SecretVault vault, Clock clock) {
        return new ConsoleRoutes(new ConsoleSessions(database, config, vault, clock), new PendingSignIns(vault),
                new KeycloakSignIn(identity, config, publicUrl, callers), identity.local(), gatehouseIssuer, publicUrl, clock);
    }

    ConsoleRoutes(ConsoleSessions sessions, PendingSignIns pendingSignIns, KeycloakSignIn keycloak, boolean localSignIn, URI gatehouseIssuer,
            URI publicUrl, Clock clock) {
        this.sessions = requireNonNull(sessions, "sessions");
        this.pendingSignIns = requireNonNull(pendingSignIns, "pendingSignIns");
        this.keycloak = requireNonNull(keycloak, "keycloak");
        this.local = new LocalSignIn(localSignIn, gatehouseIssuer, origin(requireNonNull(publicUrl, "publicUrl")));
        this.https = "https".equalsIgnoreCase(publicUrl.getScheme());
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public void register(Router router) {
        router.route().pathRegex("^/console(/.*)?$").handler(this::securityHeaders);
        // Vert.x matches "/console" for "/console/" too: redirect only the bare path, or /console/ loops.
        router.get("/console").handler(ctx -> {
            if (ctx.request().path().equals("/console")) {
                ctx.redirect(BASE);
            } else {
                ctx.next();
            }
        });
        router.get("/console/api/session").handler(this::session);
        router.post("/console/login/local").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .handler(this::signInLocally);
        router.get("/console/login/keycloak").handler(this::signInWithKeycloak);
        router.get(CALLBACK_PATH).handler(this::callback);
        router.post("/console/logout").handler(this::signOut);
        router.get(BASE).handler(ctx -> asset(ctx, "index.html"));
        router.get(BASE + ":name").handler(ctx -> asset(ctx, ctx.pathParam("name")));
    }

    private void securityHeaders(RoutingContext ctx) {
        ctx.response().headers()
                .set("Content-Security-Policy", POLICY)
                .set("X-Frame-Options", "DENY")
                .set("X-Content-Type-Options", "nosniff")
                .set("Referrer-Policy", "same-origin")
                .set("Cross-Origin-Resource-Policy", "same-origin");
        if (https) {
            ctx.response().headers().set("Strict-Transport-Security", "max-age=31536000");
        }
        ctx.next();
    }

    private void asset(RoutingContext ctx, String name) {
        Optional<ConsoleAssets.Asset> asset = assets.find(name);
        if (asset.isEmpty()) {
            ctx.next();
            return;
        }
        ctx.response()
                .putHeader("Content-Type", asset.get().contentType())
                .putHeader("Cache-Control", "no-cache")
                .end(asset.get().content());
    }

    private void session(RoutingContext ctx) {
        Optional<ActiveSession> active = ConsoleCookieAuth.session(ctx);
        JsonObject body;
        if (active.isPresent()) {
            ConsoleSession session = active.get().session();
            Claims principal = session.principal();
            body = new JsonObject()
                    .put("signed_in", true)
                    .put("principal", new JsonObject()
                            .put("subject", principal.subject())
                            .put("user", principal.user().orElse(principal.subject()))
                            .put("name", session.displayName())
                            .put("organization", principal.organization().orElse(null))
                            .put("capabilities", new JsonArray(principal.capabilities().stream().sorted().toList()))
                            .put("groups", new JsonArray(principal.groups().stream().sorted().toList()))
                            .put("issuer", principal.issuer()))
                    .put("method", session.method().value())
                    .put("csrf_token", session.csrfToken())
                    .put("expires_at", session.expiresAt().toString());
        } else {
            if (ConsoleCookies.session(ctx.request()).isPresent()) {
                ConsoleCookies.clearSession(ctx.response());
            }
            JsonArray realms = new JsonArray();
            for (Realm realm : keycloak.realms()) {
                realms.add(new JsonObject().put("name", realm.name())
                        .put("url", "/console/login/keycloak?issuer=" + realm.index()));
            }
            body = new JsonObject().put("signed_in", false)
                    .put("sign_in", new JsonObject().put("local", local.offeredTo(ctx)).put("keycloak", realms));
        }
        json(ctx.response(), 200, body);
    }

    private void signInLocally(RoutingContext ctx) {
        Instant now = clock.instant();
        Claims principal = local.principal(ctx, now);
        String user = principal.subject();
        String organization = principal.organization().orElseThrow();
        log.atWarn().addKeyValue("user", user).addKeyValue("organization", organization)
                .log("DEVELOPMENT-ONLY local console sign-in: nothing proved who this is (identity.local: true)");
        Optional<String> previous = ConsoleCookies.session(ctx.request());
        blocking(ctx, () -> {
            previous.ifPresent(sessions::end);
            return sessions.open(principal, user, SignInMethod.LOCAL, Optional.empty(), Optional.empty());
        }, opened -> {
            ConsoleCookies.setSession(ctx.response(), opened.id(), Duration.between(now, opened.session().expiresAt()));
            ctx.response().setStatusCode(204).end();
        });
    }

    private void signInWithKeycloak(RoutingContext ctx) {
        Realm realm = keycloak.realm(ctx.queryParams().get("issuer")).orElseThrow(() -> ApiException.notFound(
                "issuer: expected the index of one of identity.keycloak.issuers, as GET /console/api/session lists them."));
        String state = RandomSecrets.next();
        String verifier = new CodeVerifier().getValue();
        String pending = pendingSignIns.seal(new PendingSignIn(state, realm.issuer(), verifier,
                clock.instant().plus(PendingSignIns.TTL)));
        ctx.vertx().executeBlocking(() -> keycloak.authorizationUrl(realm, state, verifier), false).onComplete(result -> {
            if (result.failed()) {
                signInFailed(ctx, result.cause());
                return;
            }
            ConsoleCookies.setSignIn(ctx.response(), pending, PendingSignIns.TTL);
            ctx.response().putHeader("Cache-Control", "no-store").putHeader("Location", result.result().toASCIIString())
                    .setStatusCode(302).end();
        });
    }

    private void callback(RoutingContext ctx) {
        String state = ctx.queryParams().get("state");
        String code = ctx.queryParams().get("code");
        String error = ctx.queryParams().get("error");
        Optional<String> responseIssuer = Optional.ofNullable(ctx.queryParams().get("iss"));
        Optional<PendingSignIn> pending = state == null ? Optional.empty()
                : ConsoleCookies.signIn(ctx.request()).flatMap(cookie -> pendingSignIns.open(cookie, state, clock.instant()));
        ConsoleCookies.clearSignIn(ctx.response());
        if (pending.isEmpty()) {
            errorPage(ctx, 400, "This sign-in was not started in this browser, or it took longer than ten minutes."
                    + " Start again.");
            return;
        }
        if (error != null || code == null) {
            errorPage(ctx, 400, error == null ? "Keycloak sent no authorization code." : "Keycloak ended the sign-in: "
                    + error + ".");
            return;
        }
        Optional<String> previous = ConsoleCookies.session(ctx.request());
        ctx.vertx().executeBlocking(() -> {
            KeycloakSignIn.SignedIn signedIn = keycloak.finish(pending.get().issuer(), code, pending.get().codeVerifier(),
                    responseIssuer);
            previous.ifPresent(sessions::end);
            return sessions.open(signedIn.principal(), signedIn.displayName(), SignInMethod.KEYCLOAK, signedIn.idToken(),
                    signedIn.refreshToken());
        }, false).onComplete(result -> {
            if (result.failed()) {
                signInFailed(ctx, result.cause());
                return;
            }
            ConsoleSessions.Opened opened = result.result();
            log.atInfo().addKeyValue("subject", opened.session().principal().subject())
                    .addKeyValue("issuer", opened.session().principal().issuer())
                    .log("console sign-in");
            ConsoleCookies.setSession(ctx.response(), opened.id(),
                    Duration.between(clock.instant(), opened.session().expiresAt()));
            ctx.response().putHeader("Cache-Control", "no-store").putHeader("Location", BASE).setStatusCode(303).end();
        });
    }

    /**
     * Ends the session here; for a Keycloak session the answer also names where to send the browser
     * to end the Keycloak session as well ({@code end_session_url}), else null.
     */
    private void signOut(RoutingContext ctx) {
        Optional<ActiveSession> active = ConsoleCookieAuth.session(ctx);
        ConsoleCookies.clearSession(ctx.response());
        if (active.isEmpty()) {
            json(ctx.response(), 200, new JsonObject().put("signed_out", true).putNull("end_session_url"));
            return;
        }
        blocking(ctx, () -> sessions.end(active.get().id()).flatMap(this::endSessionUrl),
                url -> json(ctx.response(), 200, new JsonObject().put("signed_out", true)
                        .put("end_session_url", url.map(URI::toString).orElse(null))));
    }

    private Optional<URI> endSessionUrl(ConsoleSessions.Ended ended) {
        if (ended.method() != SignInMethod.KEYCLOAK || ended.idToken().isEmpty()) {
            return Optional.empty();
        }
        try {
            return keycloak.endSessionUrl(URI.create(ended.issuer()), ended.idToken().get());
        } catch (SignInException e) {
            log.atWarn().log("signed out of the console, but Keycloak's end-session endpoint is unknown: " + e.getMessage());
            return Optional.empty();
        }
    }

    private void signInFailed(RoutingContext ctx, Throwable cause) {
        if (cause instanceof SignInException e) {
            log.atWarn().addKeyValue("code", e.code()).setCause(e.getCause()).log("console sign-in failed: " + e.getMessage());
            errorPage(ctx, e.code().equals("keycloak_unavailable") ? 502 : 400, e.getMessage());
            return;
        }
        ctx.fail(cause);
    }

    private static void errorPage(RoutingContext ctx, int status, String message) {
        String page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>Sign-in failed · Gatehouse</title></head><body><main><h1>Sign-in failed</h1><p>"
                + escape(message) + "</p><p><a href=\"" + BASE + "\">Back to the console</a></p></main></body></html>";
        ctx.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-store").end(page);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    private static void json(HttpServerResponse response, int status, JsonObject body) {
        response.setStatusCode(status).putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store").end(body.toBuffer());
    }

    private static <T> void blocking(RoutingContext ctx, Callable<T> work, Consumer<T> then) {
        ctx.vertx().executeBlocking(work, false).onComplete(result -> {
            if (result.succeeded()) {
                then.accept(result.result());
            } else {
                ctx.fail(result.cause());
            }
        });
    }

    private static String origin(URI url) {
        int port = url.getPort();
        return url.getScheme() + "://" + url.getHost() + (port == -1 ? "" : ":" + port);
    }
}
