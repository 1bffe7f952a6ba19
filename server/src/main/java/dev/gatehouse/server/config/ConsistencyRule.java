package dev.gatehouse.server.config;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

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
            new ConsistencyRule(ConfigKeys.PAT_MAX_TTL,
                    config -> config.pat().maxTtl().compareTo(config.tokens().maxTokenTtl()) <= 0,
                    config -> "at most tokens.maxTtl, " + ConfigKeys.TOKENS_MAX_TTL.show(config)),
            new ConsistencyRule(ConfigKeys.PAT_DEFAULT_TTL,
                    config -> config.pat().defaultTtl().compareTo(config.pat().maxTtl()) <= 0,
                    config -> "at most pat.maxTtl, " + ConfigKeys.PAT_MAX_TTL.show(config)),
            new ConsistencyRule(ConfigKeys.IDENTITY_KEYCLOAK_ORGANIZATIONS,
                    config -> config.identity().issuers().containsAll(config.identity().organizations().keySet()),
                    config -> "only issuers of identity.keycloak.issuers, "
                            + ConfigKeys.IDENTITY_KEYCLOAK_ISSUERS.show(config)));
}
