package dev.gatehouse.server.identity;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.server.http.BearerAuth;
import dev.gatehouse.server.http.Routes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /auth/session}: the caller's normalized principal (subject, organization, groups,
 * capabilities, token type and expiry) as Gatehouse understood the bearer token. Useful to
 * debug a credential without ever echoing it.
 */
public final class SessionRoutes implements Routes {
    private final BearerAuth auth;

    public SessionRoutes(BearerAuth auth) {
        this.auth = requireNonNull(auth, "auth");
    }

    @Override
    public void register(Router router) {
        router.get("/auth/session").handler(auth).handler(SessionRoutes::principal);
    }

    private static void principal(RoutingContext ctx) {
        Claims claims = BearerAuth.claims(ctx);
        JsonObject body = new JsonObject()
                .put("subject", claims.subject())
                .put("type", claims.type().claimValue())
                .put("issuer", claims.issuer())
                .put("organization", claims.organization().orElse(null))
                .put("user", claims.user().orElse(null))
                .put("groups", new JsonArray(claims.groups().stream().sorted().toList()))
                .put("capabilities", new JsonArray(claims.capabilities().stream().sorted().toList()))
                .put("audience", new JsonArray(claims.audience()))
                .put("expiresAt", claims.expiresAt().toString());
        ctx.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(body.toBuffer());
    }
}
