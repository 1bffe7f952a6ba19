package dev.gatehouse.server.identity;

import java.util.Optional;

/** How organizations map onto Keycloak: which realm may speak for which organization. */
public enum Topology {
    /**
     * One Keycloak (or realm) per organization: every configured issuer is trusted for the
     * organization its tokens name.
     */
    PER_ORGANIZATION("per-organization"),
    /**
     * One Keycloak, one realm per organization: the realm of the issuer ({@code .../realms/<name>})
     * must be the organization the token names.
     */
    SHARED_SOVEREIGN("shared-sovereign");

    private final String configName;

    Topology(String configName) {
        this.configName = configName;
    }

    /** The name in configuration, e.g. {@code shared-sovereign}. */
    public String configName() {
        return configName;
    }

    /** The topology with exactly this configuration name, if any. */
    public static Optional<Topology> fromConfigName(String name) {
        for (Topology topology : values()) {
            if (topology.configName.equals(name)) {
                return Optional.of(topology);
            }
        }
        return Optional.empty();
    }
}
