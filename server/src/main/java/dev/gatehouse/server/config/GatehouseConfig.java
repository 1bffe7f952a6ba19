package dev.gatehouse.server.config;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.admin.AdminConfig;
import dev.gatehouse.server.byos.ByosConfig;
import dev.gatehouse.server.console.ConsoleConfig;
import dev.gatehouse.server.crypto.CryptoConfig;
import dev.gatehouse.server.gateway.GatewayConfig;
import dev.gatehouse.server.gateway.limits.BudgetsConfig;
import dev.gatehouse.server.gateway.limits.LimitsConfig;
import dev.gatehouse.server.gateway.limits.LimitsStoreConfig;
import dev.gatehouse.server.gateway.metering.UsageConfig;
import dev.gatehouse.server.http.HttpConfig;
import dev.gatehouse.server.identity.IdentityConfig;
import dev.gatehouse.server.logging.LoggingConfig;
import dev.gatehouse.server.pat.PatConfig;
import dev.gatehouse.server.sandbox.SandboxConfig;
import dev.gatehouse.server.store.StoreConfig;
import dev.gatehouse.server.tokens.KeysConfig;
import dev.gatehouse.server.tokens.TokensConfig;
import java.nio.file.Path;
import java.util.Set;

/**
 * The whole, validated configuration of one Gatehouse process. Built by {@link ConfigLoader} from
 * one YAML file plus environment overrides; immutable.
 *
 * @param production refuses dev-only conveniences (generated key-encryption key, plain-http issuer, local identity)
 * @param dataDir where embedded state lives (SQLite file, dev key-encryption key)
 * @param roles the roles this process runs
 * @param crypto the JCA provider of token signatures
 * @param pat personal access tokens; rules spanning records ({@code pat.maxTtl <= tokens.maxTtl}) are
 *     checked by {@link ConfigLoader} through {@link ConsistencyRule}
 * @param admin the admin API
 * @param gateway the LLM gateway
 * @param gatewayLimits default per-token and per-organization gateway rate limits and token budgets
 * @param gatewayBudgets budgets in any scope, period and unit, the default reservation, the currency
 * @param gatewayLimitsStore where the per-minute limits are kept: in each replica, or shared in Redis
 * @param gatewayUsage how usage records reach the store: durability, spooling
 * @param sandbox sandboxes: backend, profiles, quotas, lifecycle
 * @param byos bring-your-own-subscription providers and token refresh
 * @param console the web console: its sessions and Keycloak client
 */
public record GatehouseConfig(
        boolean production,
        Path dataDir,
        Set<Role> roles,
        HttpConfig http,
        StoreConfig store,
        KeysConfig keys,
        TokensConfig tokens,
        CryptoConfig crypto,
        LoggingConfig logging,
        IdentityConfig identity,
        PatConfig pat,
        AdminConfig admin,
        GatewayConfig gateway,
        LimitsConfig gatewayLimits,
        BudgetsConfig gatewayBudgets,
        LimitsStoreConfig gatewayLimitsStore,
        UsageConfig gatewayUsage,
        SandboxConfig sandbox,
        ByosConfig byos,
        ConsoleConfig console) {

    public GatehouseConfig {
        requireNonNull(dataDir, "dataDir");
        roles = Set.copyOf(requireNonNull(roles, "roles"));
        requireNonNull(http, "http");
        requireNonNull(store, "store");
        requireNonNull(keys, "keys");
        requireNonNull(tokens, "tokens");
        requireNonNull(crypto, "crypto");
        requireNonNull(logging, "logging");
        requireNonNull(identity, "identity");
        requireNonNull(console, "console");
        requireNonNull(pat, "pat");
        requireNonNull(admin, "admin");
        requireNonNull(gateway, "gateway");
        requireNonNull(gatewayLimits, "gatewayLimits");
        requireNonNull(gatewayBudgets, "gatewayBudgets");
        requireNonNull(gatewayLimitsStore, "gatewayLimitsStore");
        requireNonNull(gatewayUsage, "gatewayUsage");
        requireNonNull(sandbox, "sandbox");
        requireNonNull(byos, "byos");
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("roles: [] (expected: at least one of auth, gateway, sandbox, byos)");
        }
        int own = identity.issuers().indexOf(tokens.issuer());
        if (own >= 0) {
            throw new IllegalArgumentException("identity.keycloak.issuers[" + own + "]: \"" + tokens.issuer()
                    + "\" (expected: a Keycloak issuer, not tokens.issuer; Gatehouse's own tokens need no entry)");
        }
    }

    /** This configuration with other roles (the {@code serve --roles} override). */
    public GatehouseConfig withRoles(Set<Role> roles) {
        return new GatehouseConfig(production, dataDir, roles, http, store, keys, tokens, crypto, logging, identity, pat,
                admin, gateway, gatewayLimits, gatewayBudgets, gatewayLimitsStore, gatewayUsage, sandbox, byos,
                console);
    }
}
