package dev.gatehouse.server;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.audit.AuditRoutes;
import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.gateway.bridge.SandboxTokenRoutes;
import dev.gatehouse.server.gateway.bridge.SandboxTokens;
import dev.gatehouse.server.http.BearerAuth;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.identity.SessionRoutes;
import dev.gatehouse.server.oauth.OAuthRoutes;
import dev.gatehouse.server.pat.AdminPatRoutes;
import dev.gatehouse.server.pat.PatRoutes;
import dev.gatehouse.server.pat.PersonalAccessTokens;
import dev.gatehouse.server.tokens.Hs256TokenMinter;
import dev.gatehouse.server.tokens.KeyRing;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import dev.gatehouse.server.tokens.TokenMinter;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * The routes of the {@code auth} role: sessions, personal access tokens, introspection and
 * revocation, the audit log, and the sandbox-token bridge (it mints credentials, like the PAT API).
 */
final class AuthRole {
    private AuthRole() {}

    static List<Routes> routes(GatehouseConfig config, Infrastructure infrastructure, AdminAuth admin) {
        TokenVerifier callers = infrastructure.callerVerifier();
        Clock clock = Clock.systemUTC();
        JdbcAuditLog audit = new JdbcAuditLog(infrastructure.database());
        PersonalAccessTokens pats = new PersonalAccessTokens(infrastructure.database(),
                SigningTokenMinter.of(infrastructure.keyRing(), config.tokens(), clock), audit,
                infrastructure.revokedTokens(), infrastructure.lastUsed(), config.pat().maxActivePerUser(), clock);
        return List.of(
                new SessionRoutes(new BearerAuth(callers, EnumSet.allOf(TokenType.class))),
                new PatRoutes(callers, pats, config.pat(), config.http().maxBodyBytes(), clock),
                new OAuthRoutes(callers, infrastructure.tokenVerifier(Optional.empty()), admin, pats),
                new AuditRoutes(admin, audit),
                new AdminPatRoutes(admin, pats),
                sandboxTokenBridge(config, infrastructure, admin, audit, clock));
    }

    /**
     * Sandbox tokens are HS256 with {@code keys.hs256Secret} when set (NewAPI interop), else signed by
     * the key ring and verifiable through the JWKS.
     */
    private static Routes sandboxTokenBridge(GatehouseConfig config, Infrastructure infrastructure, AdminAuth admin,
            JdbcAuditLog audit, Clock clock) {
        KeyRing keyRing = infrastructure.keyRing();
        TokenMinter minter = config.keys().hs256Secret()
                .<TokenMinter>map(secret -> Hs256TokenMinter.of(secret, config.tokens(), clock))
                .orElseGet(() -> SigningTokenMinter.of(keyRing, config.tokens(), clock));
        SandboxTokens tokens = new SandboxTokens(infrastructure.database(), minter, config.tokens().maxTokenTtl(), audit,
                infrastructure.revokedTokens(), clock);
        boolean hs256 = config.keys().hs256Secret().isPresent();
        return new SandboxTokenRoutes(admin, tokens, () -> hs256 || keyRing.isReady());
    }
}
