package dev.gatehouse.server;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.admin.AuditRoutes;
import dev.gatehouse.server.admin.KeyRoutes;
import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.console.ConsoleRoutes;
import dev.gatehouse.server.gateway.bridge.BridgeAuth;
import dev.gatehouse.server.gateway.bridge.SandboxTokenRoutes;
import dev.gatehouse.server.http.BearerAuth;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.identity.SessionRoutes;
import dev.gatehouse.server.oauth.OAuthRoutes;
import dev.gatehouse.server.pat.AdminPatRoutes;
import dev.gatehouse.server.pat.PatRoutes;
import dev.gatehouse.server.pat.PersonalAccessTokens;
import dev.gatehouse.server.sandbox.Sandboxes;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * The {@code auth} role: sessions, the web console, personal access tokens, introspection and
 * revocation, the audit log, signing-key withdrawal, and the sandbox-token bridge (it mints credentials, like the PAT API).
 */
final class AuthRole implements RunningRole {
    private final List<Routes> routes;

    private AuthRole(List<Routes> routes) {
        this.routes = routes;
    }

    static AuthRole open(RoleContext context) {
        GatehouseConfig config = context.config();
        Infrastructure infrastructure = context.infrastructure();
        AdminAuth admin = context.admin();
        TokenVerifier callers = infrastructure.callerVerifier();
        Clock clock = context.clock();
        JdbcAuditLog audit = new JdbcAuditLog(infrastructure.database());
        PersonalAccessTokens pats = new PersonalAccessTokens(infrastructure.database(), infrastructure.committer(),
                infrastructure.signingTokenMinter(clock), audit,
                infrastructure.revokedTokens(), infrastructure.lastUsed(), config.pat().maxActivePerUser(), clock);
        return new AuthRole(List.of(
                new SessionRoutes(new BearerAuth(callers, EnumSet.allOf(TokenType.class))),
                new PatRoutes(callers, pats, config.pat(), config.http().maxBodyBytes(), clock),
                new OAuthRoutes(callers, infrastructure.tokenVerifier(Optional.empty()), admin, pats),
                new AuditRoutes(admin, audit),
                new AdminPatRoutes(admin, pats),
                new KeyRoutes(admin, infrastructure.keyWithdrawal(audit, clock)),
                ConsoleRoutes.of(infrastructure.database(), config.console(), config.identity(), callers,
                        config.tokens().issuer(), config.http().publicUrl(), infrastructure.secretVault(), clock),
                sandboxTokenBridge(config, infrastructure, admin, audit, clock)));
    }

    @Override
    public List<Routes> routes() {
        return routes;
    }

    private static Routes sandboxTokenBridge(GatehouseConfig config, Infrastructure infrastructure, AdminAuth admin,
            JdbcAuditLog audit, Clock clock) {
        String audience = config.pat().bridgeAudience();
        BridgeAuth minters = new BridgeAuth(admin, infrastructure.tokenVerifier(Optional.of(audience)),
                config.tokens().issuer().toString(), audience);
        return new SandboxTokenRoutes(admin, minters, infrastructure.sandboxTokens(audit, clock, config.tokens().maxTokenTtl()),
                infrastructure::canSignSandboxTokens, config.gateway().channels(),
                id -> Sandboxes.isManaged(infrastructure.database(), id));
    }
}
