package dev.gatehouse.server.admin;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.config.Secret;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.BearerAuth;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Admits a request carrying {@code Authorization: Bearer <admin.secret>}, compared in constant
 * time. Fails closed: with no {@code admin.secret} configured every admin request is refused with
 * 503 {@code admin_disabled} naming what to configure; a missing or wrong secret is 401. The
 * presented value is never logged or echoed. Thread-safe.
 */
public final class AdminAuth implements Handler<RoutingContext> {
    private final Optional<Secret> secret;

    public AdminAuth(AdminConfig config) {
        this.secret = requireNonNull(config, "config").secret();
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (secret.isEmpty()) {
            ctx.fail(disabled());
            return;
        }
        String presented = BearerAuth.bearerToken(ctx.request().getHeader("Authorization"));
        if (presented == null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gatehouse-admin\"");
            ctx.fail(new ApiException(401, "missing_token", "The admin secret is required as a bearer token."));
            return;
        }
        if (!isAdminSecret(presented)) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gatehouse-admin\", error=\"invalid_token\"");
            ctx.fail(new ApiException(401, "invalid_admin_secret", "The bearer token is not the admin secret."));
            return;
        }
        ctx.next();
    }

    /** Whether {@code presented} is the configured admin secret; always false when none is configured. */
    public boolean isAdminSecret(String presented) {
        return presented != null && secret.isPresent()
                && secret.get().matches(presented.getBytes(StandardCharsets.UTF_8));
    }

    /** The 503 every admin request gets while {@code admin.secret} is unset. */
    public static ApiException disabled() {
        return new ApiException(503, "admin_disabled", "The admin API is disabled: set admin.secret"
                + " (GATEHOUSE_ADMIN_SECRET or NEWAPI_ADMIN_SECRET, or their _FILE forms; at least "
                + AdminConfig.MIN_SECRET_BYTES + " bytes).");
    }
}
