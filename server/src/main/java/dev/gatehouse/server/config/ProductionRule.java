package dev.gatehouse.server.config;

import dev.gatehouse.server.identity.Topology;
import dev.gatehouse.server.sandbox.SandboxConfig;
import java.net.URI;
import dev.gatehouse.server.gateway.devecho.DevEcho;
import java.util.List;
import java.util.function.Predicate;

/**
 * A development-only convenience that {@code production: true} refuses.
 *
 * @param key the key whose value is refused
 * @param allows whether a configuration satisfies the rule
 * @param expected what production needs instead, quoted in the problem message
 */
record ProductionRule(ConfigKey<?> key, Predicate<GatehouseConfig> allows, String expected) {

    /** Every production rule; add new ones (e.g. refusing the local identity mode) here. */
    static final List<ProductionRule> ALL = List.of(
            new ProductionRule(ConfigKeys.STORE_URL, config -> config.store().isPostgres(),
                    "jdbc:postgresql://... in production; SQLite is for development only"),
            new ProductionRule(ConfigKeys.KEYS_KEK, config -> config.keys().keyEncryptionKey().isPresent(),
                    "set in production; the generated key file is for development only"),
            new ProductionRule(ConfigKeys.SERVER_PUBLIC_URL, config -> isHttps(config.http().publicUrl()),
                    "https URL in production"),
            new ProductionRule(ConfigKeys.TOKENS_ISSUER, config -> isHttps(config.tokens().issuer()),
                    "https URL in production"),
            new ProductionRule(ConfigKeys.GATEWAY_DEV_CHANNEL, config -> !DevEcho.inUse(config.gateway().channels()),
                    "false in production; the echo channel is for development only"),
            new ProductionRule(ConfigKeys.IDENTITY_LOCAL, config -> !config.identity().local(),
                    "false in production; local identity is for development only"),
            new ProductionRule(ConfigKeys.IDENTITY_KEYCLOAK_ISSUERS,
                    config -> config.identity().issuers().stream().allMatch(ProductionRule::isHttps),
                    "https URLs in production; keys fetched over plain HTTP can be spoofed"),
            new ProductionRule(ConfigKeys.IDENTITY_KEYCLOAK_AUDIENCE,
                    config -> config.identity().issuers().isEmpty() || config.identity().audience().isPresent(),
                    "set in production when identity.keycloak.issuers is set, e.g. gatehouse; otherwise a token"
                            + " of any client of a trusted realm is accepted"),
            new ProductionRule(ConfigKeys.IDENTITY_KEYCLOAK_ORGANIZATIONS,
                    config -> config.identity().topology() != Topology.PER_ORGANIZATION
                            || config.identity().organizations().keySet().containsAll(config.identity().issuers()),
                    "every identity.keycloak.issuers entry bound to its organization in production with topology"
                            + " per-organization; otherwise any trusted Keycloak can speak for any organization"),
            new ProductionRule(ConfigKeys.SANDBOX_BACKEND,
                    config -> !config.roles().contains(Role.SANDBOX)
                            || config.sandbox().backend() == SandboxConfig.Backend.KUBERNETES,
                    "kubernetes in production when the sandbox role runs; the process backend runs sandboxes as"
                            + " Gatehouse's own user, beside its data and secrets, for development only"),
            new ProductionRule(ConfigKeys.BYOS_PROVIDERS, config -> config.byos().providers().stream()
                    .flatMap(provider -> provider.oauth().stream())
                    .allMatch(oauth -> isHttps(oauth.authorizeUrl()) && isHttps(oauth.tokenUrl())
                            && oauth.revocationUrl().map(ProductionRule::isHttps).orElse(true)
                            && isHttps(oauth.redirectUri())),
                    "https authorizeUrl, tokenUrl, revocationUrl and redirectUri in production; codes and refresh"
                            + " tokens sent over plain HTTP can be read on the way"),
            new ProductionRule(ConfigKeys.BYOS_CONSOLE_URL,
                    config -> config.byos().consoleUrl().map(ProductionRule::isHttps).orElse(true),
                    "https URL in production"));

    private static boolean isHttps(URI uri) {
        return "https".equalsIgnoreCase(uri.getScheme());
    }
}
