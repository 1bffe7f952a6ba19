package dev.gatehouse.server.gateway.bridge;

import dev.gatehouse.server.http.ContextKey;
import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTParser;
import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.TokenRejectedException;
import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.gateway.GatewayCaller;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.BearerAuth;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.text.ParseException;
import java.util.Optional;
import java.util.Set;

/**
 * Who may mint at the sandbox-token bridge: the admin API's callers ({@link AdminAuth}: the admin
 * secret, or a service account with the minter role), unrestricted; or — seed 000's caller — a user's
 * personal access token ({@code typ=pat}) for the bridge's audience ({@code pat.bridgeAudience},
 * {@code newapi} by default) carrying {@value GatewayCaller#LLM_USE} (a sandbox token it mints calls
 * the gateway, which such a PAT could not), which mints only for its own organization and user,
 * within its own {@code allowed_models} ({@link BridgeCaller#user}). A bearer token issued by this Gatehouse is taken as such a PAT; anything
 * else goes to {@link AdminAuth}. Refusals: 401 with the verifier's reason (never the token), 403
 * {@code capability_required}, 503 {@code keys_unavailable}. Thread-safe.
 */
public final class BridgeAuth implements Handler<RoutingContext> {
    private static final ContextKey<BridgeCaller> CALLER = ContextKey.named("gatehouse.bridge.caller");

    private final AdminAuth admin;
    private final TokenVerifier pats;
    private final String issuer;
    private final String audience;

    /**
     * @param pats verifies Gatehouse tokens carrying {@code audience}
     * @param issuer this Gatehouse's {@code iss}
     */
    public BridgeAuth(AdminAuth admin, TokenVerifier pats, String issuer, String audience) {
        this.admin = requireNonNull(admin, "admin");
        this.pats = requireNonNull(pats, "pats");
        this.issuer = requireNonNull(issuer, "issuer");
        this.audience = requireNonNull(audience, "audience");
    }

    @Override
    public void handle(RoutingContext ctx) {
        String token = BearerAuth.bearerToken(ctx.request().getHeader("Authorization"));
        if (token == null || !issuedHere(token)) {
            admin.handle(ctx);
            return;
        }
        HttpServerRequest request = ctx.request();
        if (!request.isEnded()) {
            request.pause();
        }
        ctx.vertx().executeBlocking(() -> pats.verify(token), false).onComplete(result -> {
            if (!request.isEnded()) {
                request.resume();
            }
            if (result.failed()) {
                if (result.cause() instanceof TokenRejectedException e) {
                    BearerAuth.refuse(ctx, e, "gatehouse-bridge");
                } else {
                    ctx.fail(result.cause());
                }
                return;
            }
            Claims claims = result.result();
            if (claims.type() != TokenType.PAT) {
                ctx.fail(new ApiException(401, "wrong_token_type", "A " + claims.type().claimValue() + " token cannot"
                        + " mint sandbox tokens (expected: the admin secret, a service account, or a personal access"
                        + " token for audience " + audience + ")."));
                return;
            }
            if (claims.organization().isEmpty()) {
                ctx.fail(new ApiException(403, "organization_required", "This personal access token names no organization."));
                return;
            }
            if (!claims.hasCapability(GatewayCaller.LLM_USE)) {
                ctx.fail(new ApiException(403, "capability_required", "This personal access token lacks the capability "
                        + GatewayCaller.LLM_USE + ", without which its sandbox tokens could not call the gateway either;"
                        + " create a new one with \"capabilities\": [\"" + GatewayCaller.LLM_USE + "\"]."));
                return;
            }
            CALLER.put(ctx, BridgeCaller.user(new Actor(claims.subject(), claims.issuer()), claims.organization().get(),
                    claims.allowedModels()));
            ctx.next();
        });
    }

    /** Who passed this handler: a user (with its PAT's organization) or an admin caller. */
    static BridgeCaller caller(RoutingContext ctx) {
        BridgeCaller user = CALLER.get(ctx);
        return user != null ? user : BridgeCaller.admin(AdminAuth.actor(ctx));
    }

    private boolean issuedHere(String token) {
        if (!isSignedJwt(token)) {
            // The admin secret, on every call of the controller: a failed parse costs an exception.
            return false;
        }
        try {
            return issuer.equals(JWTParser.parse(token).getJWTClaimsSet().getIssuer());
        } catch (ParseException e) {
            return false;
        }
    }

    /** Whether {@code token} has the shape of a JWS in compact form: three parts, two dots. */
    private static boolean isSignedJwt(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        return second > 0 && token.indexOf('.', second + 1) < 0;
    }

    /**
     * A caller of the bridge.
     *
     * @param actor who acted, for the audit log
     * @param organization for a PAT, the only organization it may mint for (and its subject the only
     *     user); empty for admin callers, who may mint for any
     * @param models for a PAT with {@code allowed_models}, the only models its sandbox tokens may
     *     name; empty otherwise
     */
    record BridgeCaller(Actor actor, Optional<String> organization, Optional<Set<String>> models) {
        static BridgeCaller admin(Actor actor) {
            return new BridgeCaller(actor, Optional.empty(), Optional.empty());
        }

        static BridgeCaller user(Actor actor, String organization, Optional<Set<String>> models) {
            return new BridgeCaller(actor, Optional.of(organization), models);
        }
    }
}
