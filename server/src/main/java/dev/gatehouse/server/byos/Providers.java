package dev.gatehouse.server.byos;

import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.Shown;

/** Resolves a provider name of the API's paths to its configuration, with the API's refusals. */
public final class Providers {
    private Providers() {}

    /**
     * @throws ApiException 400 {@code invalid_provider} when {@code name} cannot name a
     *     provider; 503 {@code provider_not_configured} when no provider of that name is configured
     */
    public static ByosProvider require(ByosConfig config, String name) {
        if (name == null || !ByosProvider.isName(name)) {
            throw new ApiException(400, "invalid_provider", "provider: " + Shown.quote(name)
                    + " (expected: 1..63 lower-case letters, digits or '-', e.g. claude-code)");
        }
        return config.provider(name).orElseThrow(() -> new ApiException(503, "provider_not_configured",
                "Provider " + Shown.quote(name) + " is not configured: add it to byos.providers (GATEHOUSE_BYOS_PROVIDERS;"
                        + " see docs/byos.md)" + (config.providers().isEmpty() ? "; no provider is configured."
                        : "; configured: " + String.join(", ", config.providers().stream().map(ByosProvider::name).toList())
                                + ".")));
    }
}
