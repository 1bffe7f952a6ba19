package dev.gatehouse.server.keycloak;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How organizations map onto Keycloak. Each topology has its own realm template in the
 * {@code keycloak/} directory of the repository (packaged as {@code keycloak/<name>-realm.json}).
 */
public enum Topology {
    /** One Keycloak, one realm per organization; the realm name is the organization id. */
    SHARED_SOVEREIGN("shared-sovereign"),
    /** One Keycloak per organization; the realm name is free (default: the organization id). */
    PER_ORGANIZATION("per-organization");

    private final String configName;

    Topology(String configName) {
        this.configName = configName;
    }

    /** The name used on the command line, in configuration and in template file names. */
    public String configName() {
        return configName;
    }

    /** The classpath resource of this topology's realm template. */
    String templateResource() {
        return "keycloak/" + configName + "-realm.json";
    }

    /**
     * The topology named {@code name}.
     *
     * @throws IllegalArgumentException naming the accepted values when there is none
     */
    public static Topology fromConfigName(String name) {
        for (Topology topology : values()) {
            if (topology.configName.equals(name)) {
                return topology;
            }
        }
        throw new IllegalArgumentException("topology: \"" + name + "\" (expected: " + names() + ")");
    }

    static String names() {
        return Arrays.stream(values()).map(Topology::configName).collect(Collectors.joining(" or "));
    }

    @Override
    public String toString() {
        return configName;
    }
}
