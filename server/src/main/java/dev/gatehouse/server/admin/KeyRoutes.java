package dev.gatehouse.server.admin;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.audit.RequestOrigins;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.tokens.KeyInfo;
import dev.gatehouse.server.tokens.KeyWithdrawal;
import dev.gatehouse.server.tokens.KeyWithdrawalRefusedException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * {@code DELETE /admin/keys/{kid}}: the operator withdraws a signing key ({@link KeyWithdrawal}), with
 * the admin secret or a service account with the admin role. 200 with the key ({@code kid}, {@code
 * algorithm}, {@code state: "revoked"}, {@code revoked_at}), also when it already was; 404 {@code
 * not_found} when no key has that id; 409 {@code key_in_use} for the newest key (rotate first).
 * Audited as {@value KeyWithdrawal#REVOKED}. Stateless; the store work runs off the event loop.
 */
public final class KeyRoutes implements Routes {
    private final AdminAuth admin;
    private final KeyWithdrawal withdrawal;

    public KeyRoutes(AdminAuth admin, KeyWithdrawal withdrawal) {
        this.admin = requireNonNull(admin, "admin");
        this.withdrawal = requireNonNull(withdrawal, "withdrawal");
    }

    @Override
    public void register(Router router) {
        router.delete("/admin/keys/:kid").handler(admin).handler(this::revoke);
    }

    private void revoke(RoutingContext ctx) {
        String kid = ctx.pathParam("kid");
        var origin = RequestOrigins.of(ctx);
        var actor = AdminAuth.actor(ctx);
        ctx.vertx().executeBlocking(() -> withdrawal.withdraw(kid, actor, origin), false)
                .onSuccess(key -> ctx.response()
                        .putHeader("Content-Type", "application/json")
                        .end(json(key).toBuffer()))
                .onFailure(e -> ctx.fail(e instanceof KeyWithdrawalRefusedException refused ? refusal(refused) : e));
    }

    private static ApiException refusal(KeyWithdrawalRefusedException refused) {
        return switch (refused.reason()) {
            case UNKNOWN_KEY -> ApiException.notFound(capitalized(refused.getMessage()) + ".");
            case NEWEST_KEY -> new ApiException(409, "key_in_use", capitalized(refused.getMessage()) + ".");
        };
    }

    private static String capitalized(String message) {
        return message.substring(0, 1).toUpperCase(Locale.ROOT) + message.substring(1);
    }

    private static JsonObject json(KeyInfo key) {
        return new JsonObject()
                .put("kid", key.kid())
                .put("algorithm", key.algorithm())
                .put("state", key.state().name().toLowerCase(Locale.ROOT))
                .put("revoked_at", key.revokedAt().map(Object::toString).orElse(null));
    }
}
