package dev.gatehouse.server.config;

import dev.gatehouse.server.Gatehouse;
import java.util.Locale;
import java.util.Optional;

/** A role one Gatehouse process can run; {@code serve} runs all of them unless told otherwise. */
public enum Role {
    AUTH,
    GATEWAY,
    SANDBOX,
    BYOS;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromConfigName(String name) {
        for (Role role : values()) {
            if (role.configName().equals(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
