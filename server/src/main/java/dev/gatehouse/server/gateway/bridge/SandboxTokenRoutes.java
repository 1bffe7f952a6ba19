package dev.gatehouse.server.gateway.bridge;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.audit.RequestOrigins;
import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.gateway.bridge.BridgeAuth.BridgeCaller;
import dev.gatehouse.server.gateway.bridge.SandboxTokenRequest.InvalidRequestException;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.http.Shown;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox token bridge (NewAPI contract), behind the admin secret, a minter service account, or a
 * user's personal access token for the bridge's audience (then only for its own organization and
 * user, channels that organization may use, within the PAT's own allowed_models, and not one of
 * Gatehouse's own sandboxes; 403 {@code organization_mismatch}, {@code user_mismatch}, {@code
 * channel_not_allowed}, {@code model_not_allowed}, {@code sandbox_managed}, 400 {@code unknown_channel}):
 * <ul>
 *   <li>{@code POST /admin/tokens/sandbox} with {@code {org_id, user_id, sandbox_id,
 *       allowed_channels[], allowed_models[]?}} → 200 {@code {token, expires_at}} ({@code Cache-Control: no-store});
 *       405 for any other method, 503 while {@code admin.secret} is unset or no signing key is
 *       ready, or when too many tokens wait for the store ({@code store_busy}) or the replica is
 *       shutting down ({@code shutting_down}), 401 for a missing or wrong admin secret, 400 for a
 *       bad body (including no channels after scrubbing), 415 for a non-JSON content type, 413 above
 *       {@value #MAX_BODY_BYTES} bytes;
 *   <li>{@code DELETE /admin/tokens/sandbox/{sandbox_id}} → 200 {@code {sandbox_id, revoked}}: every
 *       token of the sandbox revoked (idempotent).
 * </ul>
 * Errors are {@code application/problem+json}. Neither the admin secret nor a signing key nor a
 * minted token is ever logged; the token appears in its one response only, sent only once its record
 * and audit event are committed. Store work runs off the event loop.
 */
public final class SandboxTokenRoutes implements Routes {
    static final long MAX_BODY_BYTES = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(SandboxTokenRoutes.class);

    private final AdminAuth admin;
    private final BridgeAuth minters;
    private final SandboxTokens tokens;
    private final BooleanSupplier signingReady;
    private final List<ChannelConfig> channels;
    private final Predicate<String> managedSandbox;

    /**
     * @param minters who may mint: admin callers, and users' PATs for their own organization
     * @param signingReady whether a signing key is available (the key ring is ready, or HS256 is configured)
     * @param channels the gateway's channels: a PAT may mint only for those its organization may use
     * @param managedSandbox whether a sandbox id is one of Gatehouse's own sandboxes (blocks on the
     *     store): a PAT may not mint for those
     */
    public SandboxTokenRoutes(AdminAuth admin, BridgeAuth minters, SandboxTokens tokens, BooleanSupplier signingReady,
            List<ChannelConfig> channels, Predicate<String> managedSandbox) {
        this.admin = requireNonNull(admin, "admin");
        this.minters = requireNonNull(minters, "minters");
        this.tokens = requireNonNull(tokens, "tokens");
        this.signingReady = requireNonNull(signingReady, "signingReady");
        this.channels = List.copyOf(requireNonNull(channels, "channels"));
        this.managedSandbox = requireNonNull(managedSandbox, "managedSandbox");
    }

    @Override
    public void register(Router router) {
        router.route("/admin/tokens/sandbox")
                .handler(this::onlyPost)
                .handler(this::signingKeyReady)
                .handler(minters);
        // A second route, so that the body is read only once the caller is authenticated.
        router.post("/admin/tokens/sandbox")
                .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .handler(this::mint);
        router.route("/admin/tokens/sandbox/:sandbox_id")
                .handler(ctx -> {
                    if (ctx.request().method() != HttpMethod.DELETE) {
                        ctx.response().putHeader("Allow", "DELETE");
                        ctx.fail(new ApiException(405, "method_not_allowed", "Use DELETE to revoke a sandbox's tokens."));
                        return;
                    }
                    ctx.next();
                })
                .handler(admin)
                .handler(this::revoke);
    }

    private void onlyPost(RoutingContext ctx) {
        if (ctx.request().method() != HttpMethod.POST) {
            ctx.response().putHeader("Allow", "POST");
            ctx.fail(new ApiException(405, "method_not_allowed", "Use POST to mint a sandbox token."));
            return;
        }
        ctx.next();
    }

    private void signingKeyReady(RoutingContext ctx) {
        if (!signingReady.getAsBoolean()) {
            ctx.fail(new ApiException(503, "signing_key_unavailable",
                    "No signing key is available: the key ring is not ready and keys.hs256Secret"
                            + " (NEWAPI_TOKEN_SIGNING_KEY) is not set."));
            return;
        }
        ctx.next();
    }

    private void mint(RoutingContext ctx) {
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            ctx.fail(new ApiException(415, "unsupported_media_type", "Content-Type must be application/json."));
            return;
        }
        SandboxTokenRequest request;
        try {
            byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
            request = SandboxTokenRequest.parse(body);
        } catch (InvalidRequestException e) {
            ctx.fail(new ApiException(400, e.code(), e.getMessage()));
            return;
        }
        BridgeCaller caller = BridgeAuth.caller(ctx);
        SandboxTokenRequest scoped;
        try {
            scoped = caller.organization().isEmpty() ? request : ownScope(caller, request);
        } catch (ApiException e) {
            ctx.fail(e);
            return;
        }
        var origin = RequestOrigins.of(ctx);
        Future<Void> allowed = caller.organization().isEmpty() ? Future.succeededFuture()
                : ctx.vertx().executeBlocking(() -> {
                    if (managedSandbox.test(scoped.sandbox())) {
                        // Its tokens come from the controller; minting more would act as that sandbox, whoever owns it.
                        throw new ApiException(403, "sandbox_managed", "sandbox_id names a sandbox started through"
                                + " Gatehouse; its tokens come from Gatehouse's sandbox controller.");
                    }
                    return null;
                }, false);
        // Signing is CPU only (no I/O) and the store write is asynchronous, so neither needs a worker
        // thread; the answer goes out only once the group commit holding the token's record completed.
        allowed.compose(ignored -> Future.fromCompletionStage(tokens.issue(scoped, caller.actor(), origin),
                        ctx.vertx().getOrCreateContext()))
                .onSuccess(minted -> {
                    // DEBUG: the audit event sandbox_token.issued is the record of every issuance.
                    log.atDebug()
                            .addKeyValue("jti", minted.tokenId())
                            .addKeyValue("sandbox", scoped.sandbox())
                            .addKeyValue("org", scoped.organization())
                            .addKeyValue("channels", scoped.channels())
                            .addKeyValue("allowed_models", scoped.models())
                            .addKeyValue("kid", minted.keyId())
                            .log("sandbox token issued");
                    ctx.response()
                            .putHeader("Content-Type", "application/json")
                            .putHeader("Cache-Control", "no-store")
                            .putHeader("Pragma", "no-cache")
                            .end(new JsonObject()
                                    .put("token", minted.token())
                                    .put("expires_at", minted.expiresAt().toString())
                                    .toBuffer());
                })
                .onFailure(ctx::fail);
    }

    /**
     * A PAT mints only for its own organization and user, only channels that exist and that
     * organization may use, and within its own {@code allowed_models} ({@link #withinModels}).
     */
    private SandboxTokenRequest ownScope(BridgeCaller caller, SandboxTokenRequest request) {
        String organization = caller.organization().orElseThrow();
        if (!request.organization().equals(organization)) {
            throw new ApiException(403, "organization_mismatch", "org_id " + Shown.quote(request.organization())
                    + " is not the organization of this personal access token (" + Shown.quote(organization) + ").");
        }
        if (!request.user().equals(caller.actor().subject())) {
            throw new ApiException(403, "user_mismatch", "user_id " + Shown.quote(request.user())
                    + " is not the owner of this personal access token.");
        }
        for (String name : request.channels()) {
            Optional<ChannelConfig> channel = channels.stream().filter(c -> c.name().equals(name)).findFirst();
            if (channel.isEmpty()) {
                throw ApiException.badRequest("unknown_channel", "allowed_channels: " + Shown.quote(name)
                        + " is not a channel of this gateway.");
            }
            if (!channel.get().allows(organization)) {
                throw new ApiException(403, "channel_not_allowed", "allowed_channels: organization "
                        + Shown.quote(organization) + " may not use channel " + Shown.quote(name) + ".");
            }
        }
        return withinModels(caller, request);
    }

    /**
     * A PAT with {@code allowed_models} mints within them: a request naming none gets the PAT's, one
     * naming others is refused (403 {@code model_not_allowed}).
     */
    private static SandboxTokenRequest withinModels(BridgeCaller caller, SandboxTokenRequest request) {
        if (caller.models().isEmpty()) {
            return request;
        }
        Set<String> allowed = caller.models().get();
        if (request.models().isEmpty()) {
            return new SandboxTokenRequest(request.organization(), request.user(), request.sandbox(), request.channels(),
                    List.copyOf(allowed));
        }
        for (String model : request.models()) {
            if (!allowed.contains(model)) {
                throw new ApiException(403, "model_not_allowed", "allowed_models: " + Shown.quote(model)
                        + " is not among this personal access token's allowed_models.");
            }
        }
        return request;
    }

    private void revoke(RoutingContext ctx) {
        String sandbox = ctx.pathParam("sandbox_id");
        var origin = RequestOrigins.of(ctx);
        Actor actor = AdminAuth.actor(ctx);
        ctx.vertx().executeBlocking(() -> tokens.revokeSandbox(sandbox, actor, origin), false)
                .onSuccess(count -> ctx.response()
                        .putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("sandbox_id", sandbox).put("revoked", count).toBuffer()))
                .onFailure(ctx::fail);
    }
}
