package dev.gatehouse.server.http;

import dev.gatehouse.sdk.claims.Claims;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * The caller of a request authenticated by the web console's session cookie rather than a bearer
 * token: the console's cookie handler puts the principal here (after checking the CSRF token of a
 * state-changing request), and {@link BearerAuth} and the admin API's authentication read it when a
 * request carries no {@code Authorization} header. The cookie itself is the console's business.
 */
public final class CookieSession {
    private static final ContextKey<Claims> PRINCIPAL = ContextKey.named("gatehouse.console.principal");

    private CookieSession() {}

    public static void authenticate(RoutingContext ctx, Claims principal) {
        PRINCIPAL.put(ctx, principal);
    }

    /** The principal of the request's console session, if it came with a valid one. */
    public static Optional<Claims> principal(RoutingContext ctx) {
        return Optional.ofNullable(PRINCIPAL.get(ctx));
    }
}
