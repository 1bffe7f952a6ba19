package dev.gatehouse.server.pat;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.audit.RequestOrigins;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.http.Shown;
import dev.gatehouse.server.pat.PersonalAccessTokens.RevokeResult;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code DELETE /admin/pats/{id}}: the operator revokes any personal access token by id, with the
 * admin secret. 204 when it is revoked (also when it already was), 404 {@code not_found} when no
 * token has that id. Audited like every revocation ({@code pat.revoked} with {@code via =
 * admin_api}, actor {@code admin}; an unknown id as {@code pat.revoke_refused}). Stateless; the
 * store work runs off the event loop.
 */
public final class AdminPatRoutes implements Routes {
    private final AdminAuth admin;
    private final PersonalAccessTokens pats;

    public AdminPatRoutes(AdminAuth admin, PersonalAccessTokens pats) {
        this.admin = requireNonNull(admin, "admin");
        this.pats = requireNonNull(pats, "pats");
    }

    @Override
    public void register(Router router) {
        router.delete("/admin/pats/:id").handler(admin).handler(this::revoke);
    }

    private void revoke(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        var origin = RequestOrigins.of(ctx);
        ctx.vertx().executeBlocking(() -> pats.revoke(PatCaller.ADMIN, id, "admin_api", origin), false)
                .onSuccess(result -> {
                    if (result == RevokeResult.NO_SUCH_TOKEN) {
                        ctx.fail(ApiException.notFound("No personal access token " + Shown.quote(id) + "."));
                        return;
                    }
                    ctx.response().setStatusCode(204).end();
                })
                .onFailure(ctx::fail);
    }
}
