package dev.gatehouse.server.byos;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Bring-your-own-subscription: the providers users may connect, where the browser returns after a
 * connection, and how tokens are kept fresh. Immutable.
 *
 * @param providers the configured providers; a name not among them answers 503 on every endpoint
 * @param consoleUrl where {@code /callback} sends the browser back, with the outcome; a {@code
 *     return_to} given to {@code /start} must start with it. Empty: {@code /callback} answers with a
 *     short page of its own
 * @param stateTtl how long a connection started by {@code /start} may take to come back
 * @param refreshBefore an access token is refreshed this long before it expires
 * @param refreshInterval how often tokens due for a refresh are looked for
 */
public record ByosConfig(List<ByosProvider> providers, Optional<URI> consoleUrl, Duration stateTtl,
        Duration refreshBefore, Duration refreshInterval) {

    public ByosConfig {
        providers = List.copyOf(requireNonNull(providers, "providers"));
        requireNonNull(consoleUrl, "consoleUrl");
        requireNonNull(stateTtl, "stateTtl");
        requireNonNull(refreshBefore, "refreshBefore");
        requireNonNull(refreshInterval, "refreshInterval");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < providers.size(); i++) {
            if (!names.add(providers.get(i).name())) {
                throw new IllegalArgumentException("byos.providers[" + i + "].name: \"" + providers.get(i).name()
                        + "\" (expected: each provider name once)");
            }
        }
        consoleUrl.ifPresent(url -> {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null
                    || url.getRawQuery() != null || url.getRawFragment() != null) {
                throw new IllegalArgumentException("byos.consoleUrl: \"" + url
                        + "\" (expected: http or https URL without query or fragment)");
            }
        });
        positive("byos.stateTtl", stateTtl);
        positive("byos.refreshBefore", refreshBefore);
        positive("byos.refreshInterval", refreshInterval);
    }

    public Optional<ByosProvider> provider(String name) {
        return providers.stream().filter(provider -> provider.name().equals(name)).findFirst();
    }

    private static void positive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + ": " + value + " (expected: > 0)");
        }
    }
}
