package dev.gatehouse.server.sandbox;

import java.util.Locale;
import java.util.Optional;

/** How a sandbox's runtime gets a rotated gateway token. */
public enum TokenDelivery {
    /**
     * The runtime re-reads its token file ({@code LLM_GATEWAY_TOKEN_FILE}) when it changes, as the
     * reference runtime does: a rotation rewrites the file and nothing restarts.
     */
    FILE,
    /** The runtime reads the token from its environment only: a rotation restarts it. */
    ENVIRONMENT;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<TokenDelivery> fromConfigName(String name) {
        for (TokenDelivery delivery : values()) {
            if (delivery.configName().equals(name)) {
                return Optional.of(delivery);
            }
        }
        return Optional.empty();
    }
}
