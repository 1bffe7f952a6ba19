package dev.gatehouse.server.oauth;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.RejectionReason;
import dev.gatehouse.sdk.verify.TokenRejectedException;
import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.audit.RequestOrigins;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.BearerAuth;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.pat.PatCaller;
import dev.gatehouse.server.pat.PersonalAccessTokens;
import dev.gatehouse.server.pat.PersonalAccessTokens.RevokeResult;
import dev.gatehouse.server.tokens.TokenIds;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standard token endpoints, form-encoded ({@code application/x-www-form-urlencoded}):
 * <ul>
 *   <li>{@code POST /oauth/introspect} (RFC 7662): {@code token} → its claims with
 *       {@code "active": true}, or exactly {@code {"active": false}} for a token that is revoked,
 *       expired, unknown or malformed. Caller: the admin secret, or a Gatehouse {@code service}
 *       token meant for this Gatehouse (sessions — local or Keycloak —, PATs and sandbox tokens
 *       cannot introspect: 401 {@code wrong_token_type}).
 *   <li>{@code POST /oauth/revoke} (RFC 7009): revokes a personal access token. Caller: the admin
 *       secret (any token) or a session (its own tokens: same subject, issuer and organization;
 *       another's → 403 {@code unauthorized_client}). A token that is invalid, expired, unknown or
 *       already revoked → 200, as the RFC says; a valid token of another type → 400
 *       {@code unsupported_token_type}.
 * </ul>
 * Without credentials → 401. Token checks and store work run off the event loop.
 */
public final class OAuthRoutes implements Routes {
    static final long MAX_BODY_BYTES = 16 * 1024;
    private static final Logger log = LoggerFactory.getLogger(OAuthRoutes.class);
    private static final String FORM = "application/x-www-form-urlencoded";

    private final TokenVerifier apiTokens;
    private final TokenVerifier anyToken;
    private final AdminAuth admin;
    private final PersonalAccessTokens pats;

    /**
     * @param apiTokens verifies callers: tokens meant for this Gatehouse's API
     * @param anyToken verifies the token asked about: any token this Gatehouse issued, whatever its
     *     audience, revocation included
     */
    public OAuthRoutes(TokenVerifier apiTokens, TokenVerifier anyToken, AdminAuth admin, PersonalAccessTokens pats) {
        this.apiTokens = requireNonNull(apiTokens, "apiTokens");
        this.anyToken = requireNonNull(anyToken, "anyToken");
        this.admin = requireNonNull(admin, "admin");
        this.pats = requireNonNull(pats, "pats");
    }

    @Override
    public void register(Router router) {
        BodyHandler form = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES).setMergeFormAttributes(false);
        router.post("/oauth/introspect").handler(form).handler(this::introspect);
        router.post("/oauth/revoke").handler(form).handler(this::revoke);
    }

    private void introspect(RoutingContext ctx) {
        String callerToken = callerToken(ctx);
        String token = tokenParameter(ctx);
        ctx.vertx().executeBlocking(() -> {
            // RFC 7662 §2.1: introspection is for protected resources, not for users.
            authenticate(callerToken, EnumSet.of(TokenType.SERVICE));
            return introspection(token);
        }, false).onSuccess(body -> ctx.response()
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Cache-Control", "no-store")
                        .end(body.toBuffer()))
                .onFailure(e -> fail(ctx, e));
    }

    private JsonObject introspection(String token) {
        Claims claims;
        try {
            claims = anyToken.verify(token);
        } catch (TokenRejectedException e) {
            if (e.reason() == RejectionReason.KEYS_UNAVAILABLE) {
                throw new ApiException(503, e.reason().code(), "Token verification is temporarily unavailable.");
            }
            return new JsonObject().put("active", false);
        }
        JsonObject body = new JsonObject()
                .put("active", true)
                .put("iss", claims.issuer())
                .put("sub", claims.subject())
                .put("typ", claims.type().claimValue())
                .put("token_type", claims.type().claimValue())
                .put("aud", new JsonArray(claims.audience()))
                .put("iat", claims.issuedAt().getEpochSecond())
                .put("exp", claims.expiresAt().getEpochSecond());
        // A legacy sandbox token has no jti: the id it is limited, metered and revoked by instead.
        body.put("jti", TokenIds.of(claims, token));
        claims.organization().ifPresent(org -> body.put("org_id", org));
        claims.user().ifPresent(user -> body.put("username", user));
        List<String> capabilities = List.copyOf(claims.capabilities());
        body.put("capabilities", new JsonArray(capabilities));
        if (!capabilities.isEmpty()) {
            body.put("scope", String.join(" ", capabilities));
        }
        return body;
    }

    private void revoke(RoutingContext ctx) {
        String callerToken = callerToken(ctx);
        String token = tokenParameter(ctx);
        RequestOrigin origin = RequestOrigins.of(ctx);
        ctx.vertx().executeBlocking(() -> {
            PatCaller caller = authenticate(callerToken, EnumSet.of(TokenType.SESSION));
            revoke(caller, token, origin);
            return null;
        }, false).onSuccess(nothing -> ctx.response()
                        .putHeader("Cache-Control", "no-store")
                        .setStatusCode(200)
                        .end())
                .onFailure(e -> fail(ctx, e));
    }

    private void revoke(PatCaller caller, String token, RequestOrigin origin) {
        Claims claims;
        try {
            claims = anyToken.verify(token);
        } catch (TokenRejectedException e) {
            log.atInfo().addKeyValue("requestId", origin.requestId().orElse(null))
                    .addKeyValue("reason", e.reason().code())
                    .log("revocation of an invalid token: nothing to do");
            return;
        }
        if (claims.type() != TokenType.PAT) {
            throw ApiException.badRequest("unsupported_token_type",
                    "Only personal access tokens can be revoked; this is a " + claims.type().claimValue() + " token.");
        }
        RevokeResult result = pats.revoke(caller, claims.tokenId().orElseThrow(), "oauth_revoke", origin);
        if (result == RevokeResult.NOT_OWNER) {
            throw new ApiException(403, "unauthorized_client",
                    "The token belongs to another user or organization.");
        }
    }

    /** The admin, or the session/service behind {@code token}; 401 otherwise. */
    private PatCaller authenticate(String token, Set<TokenType> accepted) {
        if (admin.isAdminSecret(token)) {
            return PatCaller.ADMIN;
        }
        Claims caller;
        try {
            caller = apiTokens.verify(token);
        } catch (TokenRejectedException e) {
            if (e.reason() == RejectionReason.KEYS_UNAVAILABLE) {
                throw new ApiException(503, e.reason().code(), "Token verification is temporarily unavailable.");
            }
            throw new ApiException(401, e.reason().code(), "Token rejected: " + e.reason().description() + ".");
        }
        if (!accepted.contains(caller.type())) {
            throw new ApiException(401, "wrong_token_type",
                    "A token of type " + caller.type().claimValue() + " cannot be used here.");
        }
        return PatCaller.of(caller);
    }

    private static String callerToken(RoutingContext ctx) {
        String token = BearerAuth.bearerToken(ctx.request().getHeader("Authorization"));
        if (token == null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gatehouse\"");
            throw new ApiException(401, "missing_token",
                    "A bearer token is required: the admin secret, or a Gatehouse session (revocation) or"
                            + " service token (introspection).");
        }
        return token;
    }

    private static String tokenParameter(RoutingContext ctx) {
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith(FORM)) {
            throw new ApiException(415, "unsupported_media_type", "Content-Type must be " + FORM + ".");
        }
        List<String> tokens = ctx.request().formAttributes().getAll("token");
        if (tokens.size() != 1 || tokens.getFirst().isBlank()) {
            throw ApiException.badRequest("invalid_request",
                    "token: " + (tokens.isEmpty() ? "missing" : tokens.size() > 1 ? "given more than once" : "empty")
                            + " (expected: exactly one token form parameter)");
        }
        return tokens.getFirst().strip();
    }

    private static void fail(RoutingContext ctx, Throwable failure) {
        if (failure instanceof ApiException api && api.status() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gatehouse\", error=\"invalid_token\"");
        }
        ctx.fail(failure);
    }
}
