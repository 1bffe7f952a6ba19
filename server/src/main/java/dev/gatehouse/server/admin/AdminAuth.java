package dev.gatehouse.server.admin;

import dev.gatehouse.server.http.ContextKey;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.verify.GatehouseTokenVerifier;
import dev.gatehouse.sdk.verify.RejectionReason;
import dev.gatehouse.sdk.verify.TokenRejectedException;
import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.secrets.Secret;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.RequestIds;
import dev.gatehouse.server.identity.ServiceAccount;
import dev.gatehouse.server.identity.ServiceAccountVerifier;
import dev.gatehouse.server.http.BearerAuth;
import dev.gatehouse.server.http.CookieSession;
import dev.gatehouse.sdk.claims.Claims;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a request to the admin API ({@code /admin/*}) that carries, as {@code Authorization: Bearer},
 * either
 * <ul>
 *   <li>the static {@code admin.secret}, compared in constant time: allowed everything; or</li>
 *   <li>a Keycloak access token of one of {@code admin.serviceAccounts.issuers} (typically of a
 *       service account, client-credentials grant) carrying the role the endpoint needs:
 *       {@code admin.serviceAccounts.minterRole} or {@code adminRole} for the sandbox-token bridge
 *       ({@value #SANDBOX_BRIDGE_PATH}), {@code adminRole} for everything else
 *       ({@link Permission}).</li>
 * </ul>
 * or, without an {@code Authorization} header, a web console session ({@link CookieSession}) whose
 * principal holds the capability {@value #OPERATOR_CAPABILITY} and comes from an operator issuer
 * (a service-account issuer, or Gatehouse itself while local sessions are allowed): allowed the admin
 * API but not the sandbox-token bridge.
 * The plain handler ({@link #handle}) chooses the permission by path; {@link #requiring(Permission)}
 * states it explicitly. Behind it, {@link #actor(RoutingContext)} is who acted, for the audit log:
 * the admin secret, or the service account (subject, issuer, client) — with the user named by the
 * identity-propagation header ({@code admin.serviceAccounts.actingUserHeader}) when present.
 *
 * <p>Refusals: 503 {@code admin_disabled} when neither a secret nor service-account issuers are
 * configured (fail closed, naming what to configure); 401 {@code missing_token}; 401
 * {@code invalid_admin_secret} for a token that is neither the secret nor from a service-account
 * issuer; 401 with the rejection code (e.g. {@code token_expired}, {@code bad_signature}) for a
 * refused Keycloak token; 403 {@code insufficient_role} for a valid token without the role; 400
 * {@code invalid_acting_user} for an unusable propagation header; 503 {@code keys_unavailable}
 * when the realm's keys cannot be had. The presented value is never logged or echoed.
 *
 * <p>Keycloak tokens are verified on a worker thread (keys may be fetched); the request is paused
 * meanwhile. Thread-safe.
 */
public final class AdminAuth implements Handler<RoutingContext> {
    /** The sandbox-token bridge; {@link #handle} requires {@link Permission#MINT_SANDBOX_TOKENS} there. */
    public static final String SANDBOX_BRIDGE_PATH = "/admin/tokens/sandbox";
    private static final ContextKey<Actor> ACTOR = ContextKey.named("gatehouse.admin.actor");
    private static final int MAX_ACTING_USER_CHARS = 256;
    /** The capability that lets a console session operate Gatehouse (DESIGN.md's capability table). */
    public static final String OPERATOR_CAPABILITY = "gatehouse:admin";
    private static final Logger log = LoggerFactory.getLogger(AdminAuth.class);

    /** What an admin endpoint lets a caller do, and so which service-account role it needs. */
    public enum Permission {
        /** Mint sandbox tokens: {@code minterRole} or {@code adminRole}. */
        MINT_SANDBOX_TOKENS,
        /** Everything else: {@code adminRole}. */
        ADMIN
    }

    private final Optional<Secret> secret;
    private final AdminConfig.ServiceAccounts serviceAccounts;
    private final ServiceAccountVerifier verifier;
    private final Set<String> operatorIssuers;

    /**
     * Admin authentication as configured, service-account tokens verified with default leeway and
     * JWKS refresh interval. Prefer {@link #AdminAuth(AdminConfig, ServiceAccountVerifier)} with the
     * process's shared verifier.
     */
    public AdminAuth(AdminConfig config) {
        this(config, ServiceAccountVerifier.of(requireNonNull(config, "config").serviceAccounts().issuers(),
                GatehouseTokenVerifier.DEFAULT_CLOCK_SKEW, java.time.Duration.ofSeconds(30)));
    }

    /** @param verifier verifies the tokens of {@code config.serviceAccounts().issuers()} */
    public AdminAuth(AdminConfig config, ServiceAccountVerifier verifier) {
        this(config, verifier, Optional.empty());
    }

    /**
     * @param verifier verifies the tokens of {@code config.serviceAccounts().issuers()}
     * @param localIssuer Gatehouse's own issuer when local sessions are allowed ({@code identity.local}):
     *     a local console session may then operate too; empty otherwise
     */
    public AdminAuth(AdminConfig config, ServiceAccountVerifier verifier, Optional<String> localIssuer) {
        requireNonNull(config, "config");
        this.secret = config.secret();
        this.serviceAccounts = config.serviceAccounts();
        this.verifier = requireNonNull(verifier, "verifier");
        Set<String> operators = new HashSet<>();
        serviceAccounts.issuers().forEach(issuer -> operators.add(issuer.toString()));
        requireNonNull(localIssuer, "localIssuer").ifPresent(operators::add);
        this.operatorIssuers = Set.copyOf(operators);
    }

    /**
     * Admits by the permission of the path: exactly {@value #SANDBOX_BRIDGE_PATH} needs the minter
     * (or admin) role, every other path the admin role.
     */
    @Override
    public void handle(RoutingContext ctx) {
        // The path the router matched (normalized: no "..", "//"), so a crafted path cannot borrow the bridge's role.
        boolean bridge = SANDBOX_BRIDGE_PATH.equals(ctx.normalizedPath());
        authenticate(ctx, bridge ? Permission.MINT_SANDBOX_TOKENS : Permission.ADMIN);
    }

    /** A handler admitting callers with {@code permission}, whatever the path. */
    public Handler<RoutingContext> requiring(Permission permission) {
        requireNonNull(permission, "permission");
        return ctx -> authenticate(ctx, permission);
    }

    /** Who passed this handler: {@link Actor#ADMIN} (possibly on behalf of someone) or the service account. */
    public static Actor actor(RoutingContext ctx) {
        return requireNonNull(ACTOR.get(ctx), "no admin caller on this route (AdminAuth must run first)");
    }

    private void authenticate(RoutingContext ctx, Permission permission) {
        Optional<Claims> console = CookieSession.principal(ctx);
        if (ctx.request().getHeader("Authorization") == null && console.isPresent()) {
            admitConsole(ctx, console.get(), permission);
            return;
        }
        if (secret.isEmpty() && !verifier.enabled()) {
            ctx.fail(disabled());
            return;
        }
        String presented = BearerAuth.bearerToken(ctx.request().getHeader("Authorization"));
        if (presented == null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gatehouse-admin\"");
            ctx.fail(new ApiException(401, "missing_token",
                    "The admin secret or a service-account access token is required as a bearer token."));
            return;
        }
        Optional<String> actingUser;
        try {
            actingUser = actingUser(ctx);
        } catch (ApiException e) {
            ctx.fail(e);
            return;
        }
        if (isAdminSecret(presented)) {
            admit(ctx, actingUser.map(Actor.ADMIN::onBehalfOf).orElse(Actor.ADMIN));
            return;
        }
        if (!verifier.mayVerify(presented)) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gatehouse-admin\", error=\"invalid_token\"");
            ctx.fail(new ApiException(401, "invalid_admin_secret", verifier.enabled()
                    ? "The bearer token is neither the admin secret nor an access token of a trusted service-account issuer."
                    : "The bearer token is not the admin secret."));
            return;
        }
        HttpServerRequest request = ctx.request();
        if (!request.isEnded()) {
            request.pause();
        }
        ctx.vertx().executeBlocking(() -> verifier.verify(presented), false).onComplete(result -> {
            if (!request.isEnded()) {
                request.resume();
            }
            if (result.succeeded()) {
                authorize(ctx, permission, result.result(), actingUser);
            } else if (result.cause() instanceof TokenRejectedException e) {
                BearerAuth.refuse(ctx, e, "gatehouse-admin");
            } else {
                ctx.fail(result.cause());
            }
        });
    }

    private void authorize(RoutingContext ctx, Permission permission, ServiceAccount account,
            Optional<String> actingUser) {
        List<String> accepted = permission == Permission.MINT_SANDBOX_TOKENS
                ? List.of(serviceAccounts.minterRole(), serviceAccounts.adminRole())
                : List.of(serviceAccounts.adminRole());
        if (accepted.stream().noneMatch(account::hasRole)) {
            log.atInfo()
                    .addKeyValue("requestId", RequestIds.get(ctx))
                    .addKeyValue("client", account.clientId().orElse(null))
                    .addKeyValue("issuer", account.issuer())
                    .addKeyValue("required", accepted)
                    .log("service account lacks the admin role");
            ctx.fail(new ApiException(403, "insufficient_role", "The service account lacks the role "
                    + String.join(" or ", accepted.stream().map(role -> "\"" + role + "\"").toList())
                    + " this endpoint requires."));
            return;
        }
        Actor actor = new Actor(account.subject(), account.issuer(), account.clientId(), actingUser);
        admit(ctx, actor);
    }

    /**
     * A signed-in console user: admitted to the admin API (not to the sandbox-token bridge, which the
     * console never calls) when the session holds {@value #OPERATOR_CAPABILITY} and comes from an issuer
     * trusted to name operators: one of {@code admin.serviceAccounts.issuers}, or Gatehouse itself while
     * local sessions are allowed. A realm trusted only for its members cannot make one of them an operator.
     */
    private void admitConsole(RoutingContext ctx, Claims principal, Permission permission) {
        if (!principal.capabilities().contains(OPERATOR_CAPABILITY) || !operatorIssuers.contains(principal.issuer())) {
            ctx.fail(new ApiException(403, "insufficient_capability", "This needs the capability \""
                    + OPERATOR_CAPABILITY + "\" (Keycloak realm role gatehouse-admin) from a realm of"
                    + " admin.serviceAccounts.issuers."));
            return;
        }
        if (permission == Permission.MINT_SANDBOX_TOKENS) {
            ctx.fail(new ApiException(403, "insufficient_role", "Sandbox tokens are minted by the sandbox controller or a"
                    + " service account, not from a console session."));
            return;
        }
        admit(ctx, new Actor(principal.subject(), principal.issuer()));
    }

    private static void admit(RoutingContext ctx, Actor actor) {
        ACTOR.put(ctx, actor);
        ctx.next();
    }

    private Optional<String> actingUser(RoutingContext ctx) {
        List<String> values = ctx.request().headers().getAll(serviceAccounts.actingUserHeader());
        if (values.isEmpty()) {
            return Optional.empty();
        }
        String value = values.get(0).strip();
        if (values.size() > 1 || value.isEmpty() || value.length() > MAX_ACTING_USER_CHARS
                || value.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("invalid_acting_user", serviceAccounts.actingUserHeader()
                    + ": expected once, 1.." + MAX_ACTING_USER_CHARS + " characters without control characters");
        }
        return Optional.of(value);
    }

    /** Whether {@code presented} is the configured admin secret; always false when none is configured. */
    public boolean isAdminSecret(String presented) {
        return presented != null && secret.isPresent()
                && secret.get().matches(presented.getBytes(StandardCharsets.UTF_8));
    }

    /** The 503 every admin request gets while neither a secret nor service accounts are configured. */
    public static ApiException disabled() {
        return new ApiException(503, "admin_disabled", "The admin API is disabled: set admin.secret"
                + " (GATEHOUSE_ADMIN_SECRET or NEWAPI_ADMIN_SECRET, or their _FILE forms; at least "
                + AdminConfig.MIN_SECRET_BYTES + " bytes), or admin.serviceAccounts.issuers (default:"
                + " identity.keycloak.issuers) to accept Keycloak service accounts.");
    }
}
