package dev.gatehouse.server.pat;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.audit.RequestOrigins;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.BearerAuth;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.http.Shown;
import dev.gatehouse.server.pat.PersonalAccessTokens.IssuedPat;
import dev.gatehouse.server.pat.PersonalAccessTokens.RevokeResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The personal access token API, for sessions only (a PAT cannot mint, list or revoke PATs):
 * <ul>
 *   <li>{@code POST /auth/pat} → 201 with the token value, shown this once ({@code Cache-Control:
 *       no-store}); the body is read up to {@value #MAX_BODY_BYTES} bytes (or {@code server.maxBodyBytes}
 *       if smaller); answered once the token's record is committed; 503 {@code store_busy} when too
 *       many tokens wait for the store, {@code shutting_down} while the replica stops;
 *   <li>{@code GET /auth/pats} → the caller's own tokens (same subject, issuer and organization),
 *       without values;
 *   <li>{@code DELETE /auth/pats/{id}} → 204, also when already revoked; 404 for a token of someone
 *       else, of another organization, or none at all (existence is not revealed).
 * </ul>
 * Store work runs off the event loop.
 */
public final class PatRoutes implements Routes {
    static final long MAX_BODY_BYTES = 64 * 1024;

    private final BearerAuth auth;
    private final PersonalAccessTokens pats;
    private final PatConfig config;
    private final long bodyLimit;
    private final Clock clock;

    public PatRoutes(TokenVerifier apiTokens, PersonalAccessTokens pats, PatConfig config, long maxBodyBytes,
            Clock clock) {
        this.auth = new BearerAuth(requireNonNull(apiTokens, "apiTokens"), Set.of(TokenType.SESSION));
        this.pats = requireNonNull(pats, "pats");
        this.config = requireNonNull(config, "config");
        this.bodyLimit = Math.min(maxBodyBytes, MAX_BODY_BYTES);
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public void register(Router router) {
        router.post("/auth/pat").handler(BodyHandler.create(false).setBodyLimit(bodyLimit)).handler(auth)
                .handler(this::create);
        router.get("/auth/pats").handler(auth).handler(this::list);
        router.delete("/auth/pats/:id").handler(auth).handler(this::revoke);
    }

    private void create(RoutingContext ctx) {
        String contentType = Optional.ofNullable(ctx.request().getHeader("Content-Type")).orElse("")
                .toLowerCase(Locale.ROOT);
        if (!contentType.startsWith("application/json")) {
            throw new ApiException(415, "unsupported_media_type",
                    "Content-Type must be application/json (curl: -H 'Content-Type: application/json').");
        }
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        NewPat request = NewPat.parse(body, config);
        PatCaller caller = PatCaller.of(BearerAuth.claims(ctx));
        var origin = RequestOrigins.of(ctx);
        // Signing is CPU only and the store write asynchronous: no worker thread. The answer goes out
        // once the group commit holding the token's record completed.
        Future.fromCompletionStage(pats.issue(caller, request, origin), ctx.vertx().getOrCreateContext())
                .onSuccess(issued -> created(ctx, issued, request.allowedModels()))
                .onFailure(e -> ctx.fail(mapped(e)));
    }

    /** @param allowedModels echoed when given: the store keeps no copy, so only this answer shows them */
    private static void created(RoutingContext ctx, IssuedPat issued, List<String> allowedModels) {
        PatRecord record = issued.record();
        JsonObject body = new JsonObject()
                .put("id", record.id())
                .put("token", issued.token())
                .put("name", record.name())
                .put("audience", record.audience())
                .put("capabilities", new JsonArray(record.capabilities()))
                .put("organization", record.organization())
                .put("created_at", record.createdAt().toString())
                .put("expires_at", record.expiresAt().toString());
        if (!allowedModels.isEmpty()) {
            body.put("allowed_models", new JsonArray(allowedModels));
        }
        ctx.response()
                .setStatusCode(201)
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .putHeader("Pragma", "no-cache")
                .putHeader("Location", "/auth/pats/" + record.id())
                .end(body.toBuffer());
    }

    private void list(RoutingContext ctx) {
        PatCaller caller = PatCaller.of(BearerAuth.claims(ctx));
        ctx.vertx().executeBlocking(() -> pats.list(caller), false)
                .onSuccess(records -> {
                    Instant now = clock.instant();
                    JsonArray items = new JsonArray(records.stream().map(record -> json(record, now)).toList());
                    ctx.response()
                            .putHeader("Content-Type", "application/json")
                            .putHeader("Cache-Control", "no-store")
                            .end(new JsonObject().put("pats", items).toBuffer());
                })
                .onFailure(ctx::fail);
    }

    private void revoke(RoutingContext ctx) {
        PatCaller caller = PatCaller.of(BearerAuth.claims(ctx));
        String id = ctx.pathParam("id");
        var origin = RequestOrigins.of(ctx);
        ctx.vertx().executeBlocking(() -> pats.revoke(caller, id, "api", origin), false)
                .onSuccess(result -> {
                    if (result == RevokeResult.NO_SUCH_TOKEN || result == RevokeResult.NOT_OWNER) {
                        ctx.fail(ApiException.notFound("No personal access token " + Shown.quote(id) + " of yours."));
                        return;
                    }
                    ctx.response().setStatusCode(204).end();
                })
                .onFailure(ctx::fail);
    }

    static JsonObject json(PatRecord record, Instant now) {
        return new JsonObject()
                .put("id", record.id())
                .put("name", record.name())
                .put("audience", record.audience())
                .put("capabilities", new JsonArray(record.capabilities()))
                .put("organization", record.organization())
                .put("created_at", record.createdAt().toString())
                .put("expires_at", record.expiresAt().toString())
                .put("last_used_at", record.lastUsedAt().map(Instant::toString).orElse(null))
                .put("revoked_at", record.revokedAt().map(Instant::toString).orElse(null))
                .put("status", record.status(now).value());
    }

    private static Throwable mapped(Throwable failure) {
        if (failure instanceof PatRefusedException refused) {
            return new ApiException(refused.status(), refused.code(), refused.getMessage());
        }
        return failure;
    }
}
