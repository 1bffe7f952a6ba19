package dev.gatehouse.server.byos;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.secrets.ConfiguredSecrets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** The OAuth clients of the configured providers that have one, client secrets read at start. Immutable. */
public final class ProviderClients {
    private final Map<String, ProviderClient> byName;

    private ProviderClients(Map<String, ProviderClient> byName) {
        this.byName = Map.copyOf(byName);
    }

    /**
     * @param environment where {@code clientSecretEnv} is looked up
     * @throws IllegalStateException when a configured client secret is missing, naming where it was looked for
     */
    public static ProviderClients open(ByosConfig config, Function<String, String> environment, Clock clock) {
        requireNonNull(config, "config");
        requireNonNull(environment, "environment");
        requireNonNull(clock, "clock");
        Map<String, ProviderClient> clients = new HashMap<>();
        for (ByosProvider provider : config.providers()) {
            provider.oauth().ifPresent(oauth -> clients.put(provider.name(), new ProviderClient(oauth,
                    ConfiguredSecrets.read("byos provider " + provider.name(), "clientSecretFile",
                            oauth.clientSecretFile(), "clientSecretEnv", oauth.clientSecretEnv(), environment),
                    clock)));
        }
        return new ProviderClients(clients);
    }

    Optional<ProviderClient> of(String provider) {
        return Optional.ofNullable(byName.get(provider));
    }
}
