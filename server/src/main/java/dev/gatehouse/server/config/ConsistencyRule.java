package dev.gatehouse.server.config;

import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.gateway.bridge.SandboxTokens;
import dev.gatehouse.server.gateway.limits.LimitsStoreConfig;
import dev.gatehouse.server.sandbox.SandboxConfig;
import dev.gatehouse.server.sandbox.SandboxProfile;
import dev.gatehouse.server.units.Quantities;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A rule between two keys, checked once on the whole configuration (a record's constructor sees
 * each key alone, with the others at their defaults, so it cannot check these).
 *
 * @param key the key reported when the rule is broken
 * @param allows whether a configuration satisfies the rule
 * @param expected what the key's value must be, quoted in the problem message
 */
record ConsistencyRule(ConfigKey<?> key, Predicate<GatehouseConfig> allows, Function<GatehouseConfig, String> expected) {

    static final List<ConsistencyRule> ALL = List.of(
            new ConsistencyRule(ConfigKeys.SERVER_MANAGEMENT_PORT,
                    config -> config.http().managementPort() == 0 || config.http().managementPort() != config.http().port(),
                    config -> "not server.port, " + config.http().port() + ": /metrics stays off the API port"),
            new ConsistencyRule(ConfigKeys.CONSOLE_KEYCLOAK_CLIENT_SECRET,
                    config -> config.console().keycloakClientSecret().isEmpty() || config.identity().issuers().size() <= 1,
                    config -> "not set with more than one of identity.keycloak.issuers: every realm's token endpoint would"
                            + " learn the one secret; use public clients with PKCE (the realm templates')"),
            new ConsistencyRule(ConfigKeys.PAT_MAX_TTL,
                    config -> config.pat().maxTtl().compareTo(config.tokens().maxTokenTtl()) <= 0,
                    config -> "at most tokens.maxTtl, " + ConfigKeys.TOKENS_MAX_TTL.show(config)),
            new ConsistencyRule(ConfigKeys.PAT_DEFAULT_TTL,
                    config -> config.pat().defaultTtl().compareTo(config.pat().maxTtl()) <= 0,
                    config -> "at most pat.maxTtl, " + ConfigKeys.PAT_MAX_TTL.show(config)),
            new ConsistencyRule(ConfigKeys.IDENTITY_KEYCLOAK_ORGANIZATIONS,
                    config -> config.identity().issuers().containsAll(config.identity().organizations().keySet()),
                    config -> "only issuers of identity.keycloak.issuers, "
                            + ConfigKeys.IDENTITY_KEYCLOAK_ISSUERS.show(config)),
            new ConsistencyRule(ConfigKeys.GATEWAY_LIMITS_BUDGETS,
                    config -> config.gatewayBudgets().duplicateWith(config.gatewayLimits()).isEmpty(),
                    config -> "one budget per scope, period, unit and subject, but "
                            + config.gatewayBudgets().duplicateWith(config.gatewayLimits()).orElse("")),
            new ConsistencyRule(ConfigKeys.GATEWAY_CURRENCY,
                    config -> config.gatewayBudgets().currency().isPresent()
                            || !config.gatewayBudgets().hasSpendBudgets() && unpricedChannels(config).size()
                                    == config.gateway().channels().size(),
                    config -> "set once a channel has prices or a budget counts spend, e.g. EUR"),
            new ConsistencyRule(ConfigKeys.GATEWAY_CHANNELS,
                    config -> !config.gatewayBudgets().hasSpendBudgets() || unpricedModels(config).isEmpty(),
                    config -> "a price for every model of every channel while a budget counts spend; without one: "
                            + unpricedModels(config)),
            new ConsistencyRule(ConfigKeys.GATEWAY_LIMITS_REDIS_URL,
                    config -> config.gatewayLimitsStore().store() != LimitsStoreConfig.Store.REDIS
                            || config.gatewayLimitsStore().redis().url().isPresent(),
                    config -> "set with gateway.limits.store redis: the Redis keeping the per-minute limits"),
            new ConsistencyRule(ConfigKeys.SANDBOX_PROFILES,
                    config -> channelNames(config).containsAll(profileChannels(config)),
                    config -> "channels named by gateway.channels, " + channelNames(config)),
            new ConsistencyRule(ConfigKeys.SANDBOX_TOKEN_ROTATE_BEFORE,
                    config -> config.sandbox().tokenRotateBefore().compareTo(sandboxTokenTtl(config)) < 0,
                    config -> "less than a sandbox token's lifetime, " + Quantities.formatDuration(sandboxTokenTtl(config))),
            new ConsistencyRule(ConfigKeys.SANDBOX_KUBERNETES_NAMESPACE,
                    config -> !onKubernetes(config) || config.sandbox().kubernetes().namespace().isPresent(),
                    config -> "set with sandbox.backend kubernetes: the namespace sandboxes are created in"),
            new ConsistencyRule(ConfigKeys.SANDBOX_KUBERNETES_GATEWAY_CIDR,
                    config -> !onKubernetes(config) || gatewaySelected(config) != config.sandbox().kubernetes()
                            .gatewayCidr().isPresent(),
                    config -> "with sandbox.backend kubernetes, either gatewayCidr or gatewayNamespace/gatewayPodLabels:"
                            + " the one place besides DNS a sandbox may connect to"),
            new ConsistencyRule(ConfigKeys.SANDBOX_KUBERNETES_IMAGE,
                    config -> !onKubernetes(config) || config.sandbox().kubernetes().image().isPresent()
                            || config.sandbox().profiles().stream().allMatch(profile -> profile.image().isPresent()),
                    config -> "set with sandbox.backend kubernetes unless every profile names an image; profiles"
                            + " without one: " + config.sandbox().profiles().stream()
                                    .filter(profile -> profile.image().isEmpty()).map(SandboxProfile::name).toList()));

    private static List<ChannelConfig> unpricedChannels(GatehouseConfig config) {
        return config.gateway().channels().stream().filter(channel -> channel.prices().isEmpty()).toList();
    }

    /** {@code channel/model} for every model a channel serves without a price. */
    private static List<String> unpricedModels(GatehouseConfig config) {
        return config.gateway().channels().stream().flatMap(channel -> channel.publicModels().stream()
                .filter(model -> channel.price(model).isEmpty()).map(model -> channel.name() + "/" + model)).toList();
    }

    private static boolean onKubernetes(GatehouseConfig config) {
        return config.sandbox().backend() == SandboxConfig.Backend.KUBERNETES;
    }

    private static boolean gatewaySelected(GatehouseConfig config) {
        return config.sandbox().kubernetes().gatewayNamespace().isPresent()
                || !config.sandbox().kubernetes().gatewayPodLabels().isEmpty();
    }

    private static Set<String> channelNames(GatehouseConfig config) {
        return config.gateway().channels().stream().map(ChannelConfig::name)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static Set<String> profileChannels(GatehouseConfig config) {
        return config.sandbox().profiles().stream().flatMap(profile -> profile.channels().stream())
                .collect(Collectors.toSet());
    }

    /** The lifetime of the sandbox tokens the sandbox role mints: 7 days, or tokens.maxTtl if shorter. */
    private static Duration sandboxTokenTtl(GatehouseConfig config) {
        Duration maxTtl = config.tokens().maxTokenTtl();
        return SandboxTokens.TTL.compareTo(maxTtl) <= 0 ? SandboxTokens.TTL : maxTtl;
    }
}
