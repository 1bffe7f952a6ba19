package dev.gatehouse.server.http;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.RejectionReason;
import dev.gatehouse.sdk.verify.TokenRejectedException;
import dev.gatehouse.sdk.verify.TokenVerifier;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates a request by its {@code Authorization: Bearer} token (RFC 6750), or, without an
 * {@code Authorization} header, by the web console's session ({@link CookieSession}), and stores the
 * verified {@link Claims} for the handlers behind it. Refusals are 401 with a stable code and a
 * {@code WWW-Authenticate} challenge; the token never appears in a response or a log line.
 * A token the verifier remembers is checked on the event loop ({@link TokenVerifier#verifyRemembered});
 * any other is verified on a worker thread (it may fetch keys over the network), the request paused
 * meanwhile so that no body is lost, and the handlers behind run on the event loop again.
 */
public final class BearerAuth implements Handler<RoutingContext> {
    private static final String REALM = "gatehouse";
    private static final ContextKey<Claims> CLAIMS = ContextKey.named("gatehouse.claims");
    private static final Logger log = LoggerFactory.getLogger(BearerAuth.class);

    private final TokenVerifier verifier;
    private final Set<TokenType> acceptedTypes;

    public BearerAuth(TokenVerifier verifier, Set<TokenType> acceptedTypes) {
        this.verifier = requireNonNull(verifier, "verifier");
        this.acceptedTypes = Set.copyOf(acceptedTypes);
    }

    @Override
    public void handle(RoutingContext ctx) {
        String token = bearerToken(ctx.request().getHeader("Authorization"));
        if (token == null && ctx.request().getHeader("Authorization") == null) {
            Optional<Claims> console = CookieSession.principal(ctx);
            if (console.isPresent()) {
                accept(ctx, console.get());
                return;
            }
        }
        if (token == null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gatehouse\"");
            ctx.fail(new ApiException(401, "missing_token",
                    "A bearer token is required (or, from the web console, a signed-in session)."));
            return;
        }
        try {
            Optional<Claims> remembered = verifier.verifyRemembered(token);
            if (remembered.isPresent()) {
                accept(ctx, remembered.get());
                return;
            }
        } catch (TokenRejectedException e) {
            refuse(ctx, e, REALM);
            return;
        }
        // Verification may block: a Keycloak key set is fetched on first use and on unknown kids.
        HttpServerRequest request = ctx.request();
        if (!request.isEnded()) {
            request.pause();
        }
        ctx.vertx().executeBlocking(() -> verifier.verify(token), false).onComplete(result -> {
            if (!request.isEnded()) {
                request.resume();
            }
            if (result.succeeded()) {
                accept(ctx, result.result());
            } else if (result.cause() instanceof TokenRejectedException e) {
                refuse(ctx, e, REALM);
            } else {
                ctx.fail(result.cause());
            }
        });
    }

    private void accept(RoutingContext ctx, Claims claims) {
        if (!acceptedTypes.contains(claims.type())) {
            ctx.fail(new ApiException(401, "wrong_token_type",
                    "A token of type " + claims.type().claimValue() + " cannot be used here."));
            return;
        }
        CLAIMS.put(ctx, claims);
        ctx.next();
    }

    /**
     * Answers a refused bearer token: 401 with a {@code WWW-Authenticate} challenge for {@code realm}
     * and the reason's stable code, or 503 when the keys to check it cannot be had (not the caller's
     * fault). Logs the reason and detail, never the token.
     */
    public static void refuse(RoutingContext ctx, TokenRejectedException e, String realm) {
        boolean unavailable = e.reason() == RejectionReason.KEYS_UNAVAILABLE;
        // The detail names claims and issuers, never the token (TokenRejectedException's contract).
        (unavailable ? log.atWarn() : log.atInfo())
                .addKeyValue("requestId", RequestIds.get(ctx))
                .addKeyValue("reason", e.reason().code())
                .addKeyValue("detail", e.getMessage())
                .log("token rejected");
        if (unavailable) {
            ctx.fail(new ApiException(503, e.reason().code(), "Token verification is temporarily unavailable."));
            return;
        }
        ctx.response().putHeader("WWW-Authenticate",
                "Bearer realm=\"" + realm + "\", error=\"invalid_token\", error_description=\"" + e.reason().code() + "\"");
        ctx.fail(new ApiException(401, e.reason().code(), "Token rejected: " + e.reason().description() + "."));
    }

    /** The verified claims of the caller; only valid behind this handler. */
    public static Claims claims(RoutingContext ctx) {
        return requireNonNull(CLAIMS.get(ctx), "no authenticated caller on this route");
    }

    /**
     * The token of a well-formed {@code Bearer} header (RFC 6750), or null: the one parser of
     * {@code Authorization} headers (admin secret, OAuth endpoints, the auth API).
     */
    public static String bearerToken(String header) {
        if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).strip();
        return token.isEmpty() || token.indexOf(' ') >= 0 ? null : token;
    }
}
