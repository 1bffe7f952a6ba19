package dev.gatehouse.server.gateway;

import dev.gatehouse.server.http.Shown;
import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One configured upstream of the gateway (an entry of {@code gateway.channels}). Immutable.
 *
 * @param name unique channel name, as sandbox tokens list it in {@code channels}
 * @param provider the provider it belongs to, chosen by {@code ?provider=}
 * @param baseUrl http(s) URL the OpenAI path is appended to, e.g. {@code https://dashscope.example/compatible-mode/v1}
 *     ({@code /chat/completions} is appended); no query or fragment
 * @param apiKeyFile file holding the upstream API key (one trailing newline stripped)
 * @param apiKeyEnv environment variable holding the upstream API key; at most one of the two; with
 *     neither, no {@code Authorization} header is sent upstream
 * @param models the models it serves under their own names
 * @param weight relative share within its priority tier, 1..1000 (default 1)
 * @param priority tier; lower is preferred (0 is the best), default 0
 * @param probePath what is appended to {@code baseUrl} to probe the channel while it is out
 *     ({@code GET}, default {@code /models}); a path, optionally with a query
 * @param organizations the organizations whose callers may use it; empty: every organization
 * @param prices what its models cost, in {@code gateway.currency} per million tokens; keys are
 *     among its public models; a model without a price is metered without spend
 * @param aliases public model name → the upstream's name for it: a request for the public name is
 *     sent upstream with the upstream's name, and metered, priced and listed under the public one; a
 *     public name is not also in {@code models}. {@code models} and {@code aliases} together name
 *     at least one model
 * @param includeUsage whether a streaming request sent here asks for {@code
 *     stream_options.include_usage} (default); {@code false} for upstreams that refuse {@code
 *     stream_options}: nothing of it is sent, and a stream is metered by what the relay delivered
 * @param protocols the wire protocols it speaks; at least one (default {@link Protocol#DEFAULTS})
 */
public record ChannelConfig(
        String name,
        String provider,
        URI baseUrl,
        Optional<Path> apiKeyFile,
        Optional<String> apiKeyEnv,
        List<String> models,
        int weight,
        int priority,
        String probePath,
        Set<String> organizations,
        Map<String, ModelPrice> prices,
        Map<String, String> aliases,
        boolean includeUsage,
        Set<Protocol> protocols) {

    public static final int DEFAULT_WEIGHT = 1;
    public static final int DEFAULT_PRIORITY = 0;
    public static final String DEFAULT_PROBE_PATH = "/models";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** RFC 3986 path and query characters (percent-encoded as needed), no fragment. */
    private static final Pattern PROBE_PATH = Pattern.compile("/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,1023}");

    public ChannelConfig {
        requireNonNull(name, "name");
        requireNonNull(provider, "provider");
        requireNonNull(baseUrl, "baseUrl");
        requireNonNull(apiKeyFile, "apiKeyFile");
        requireNonNull(apiKeyEnv, "apiKeyEnv");
        requireNonNull(probePath, "probePath");
        models = List.copyOf(requireNonNull(models, "models"));
        organizations = Collections.unmodifiableSet(new LinkedHashSet<>(requireNonNull(organizations, "organizations")));
        prices = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(prices, "prices")));
        aliases = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(aliases, "aliases")));
        requireNonNull(protocols, "protocols");
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("protocols: [] (expected: at least one protocol, e.g. openai.chat)");
        }
        protocols = Collections.unmodifiableSet(EnumSet.copyOf(protocols));
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: " + Shown.quote(name)
                    + " (expected: 1..128 letters, digits or ._:@/- starting with a letter or digit)");
        }
        if (!NAME.matcher(provider).matches()) {
            throw new IllegalArgumentException("provider: " + Shown.quote(provider)
                    + " (expected: 1..128 letters, digits or ._:@/- starting with a letter or digit)");
        }
        String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || baseUrl.getHost() == null
                || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
            throw new IllegalArgumentException("baseUrl: " + Shown.quote(baseUrl.toString())
                    + " (expected: http or https URL without query or fragment)");
        }
        if (apiKeyFile.isPresent() && apiKeyEnv.isPresent()) {
            throw new IllegalArgumentException("apiKeyFile and apiKeyEnv: both set (expected: at most one)");
        }
        apiKeyEnv.ifPresent(env -> {
            if (!ENV_NAME.matcher(env).matches()) {
                throw new IllegalArgumentException("apiKeyEnv: " + Shown.quote(env) + " (expected: an environment variable name)");
            }
        });
        if (models.isEmpty() && aliases.isEmpty()) {
            throw new IllegalArgumentException("models: [] (expected: at least one model, or aliases)");
        }
        for (int i = 0; i < models.size(); i++) {
            if (models.get(i).isBlank()) {
                throw new IllegalArgumentException("models[" + i + "]: \"\" (expected: a model name)");
            }
        }
        if (new LinkedHashSet<>(models).size() != models.size()) {
            throw new IllegalArgumentException("models: " + models + " (expected: no duplicates)");
        }
        if (weight < 1 || weight > 1000) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: 1..1000)");
        }
        if (priority < 0 || priority > 1000) {
            throw new IllegalArgumentException("priority: " + priority + " (expected: 0..1000)");
        }
        for (String organization : organizations) {
            if (organization.isBlank()) {
                throw new IllegalArgumentException("organizations: [\"\"] (expected: organization ids)");
            }
        }
        for (Map.Entry<String, String> alias : aliases.entrySet()) {
            if (alias.getKey().isBlank() || alias.getValue().isBlank()) {
                throw new IllegalArgumentException("aliases." + alias.getKey() + ": " + Shown.quote(alias.getValue())
                        + " (expected: a public name mapped to the upstream's model name, neither empty)");
            }
            if (models.contains(alias.getKey())) {
                throw new IllegalArgumentException("aliases." + alias.getKey() + ": also in models"
                        + " (expected: a public name either served as is or aliased, not both)");
            }
        }
        for (String model : prices.keySet()) {
            if (!models.contains(model) && !aliases.containsKey(model)) {
                throw new IllegalArgumentException("prices." + model + ": not one of models " + models
                        + (aliases.isEmpty() ? "" : " or aliases " + aliases.keySet())
                        + " (expected: a price per model the channel serves)");
            }
        }
        if (!PROBE_PATH.matcher(probePath).matches()) {
            throw new IllegalArgumentException("probePath: " + Shown.quote(probePath)
                    + " (expected: a path starting with /, optionally with a query, e.g. /models)");
        }
    }

    /** The model names callers use here: {@code models}, then the aliases' public names. */
    public List<String> publicModels() {
        List<String> all = new java.util.ArrayList<>(models);
        all.addAll(aliases.keySet());
        return all;
    }

    /** Whether callers may ask this channel for the public model {@code model}. */
    public boolean serves(String model) {
        return models.contains(model) || aliases.containsKey(model);
    }

    /** The upstream's name for the public model {@code model}: its alias target, else itself. */
    public String upstreamModel(String model) {
        return aliases.getOrDefault(model, model);
    }

    /** A channel speaking the {@link Protocol#DEFAULTS default} protocols. */
    public ChannelConfig(String name, String provider, URI baseUrl, Optional<Path> apiKeyFile, Optional<String> apiKeyEnv,
            List<String> models, int weight, int priority, String probePath, Set<String> organizations,
            Map<String, ModelPrice> prices, Map<String, String> aliases, boolean includeUsage) {
        this(name, provider, baseUrl, apiKeyFile, apiKeyEnv, models, weight, priority, probePath, organizations, prices,
                aliases, includeUsage, Protocol.DEFAULTS);
    }

    /** Whether it speaks {@code protocol}. */
    public boolean speaks(Protocol protocol) {
        return protocols.contains(protocol);
    }

    /** The price of {@code model} on this channel, if it has one. */
    public Optional<ModelPrice> price(String model) {
        return Optional.ofNullable(prices.get(model));
    }

    /** Whether callers of {@code organization} may use this channel. */
    public boolean allows(String organization) {
        return organizations.isEmpty() || organizations.contains(organization);
    }

    /**
     * {@code baseUrl} safe to show: without user information ({@code https://user:secret@host}),
     * query or fragment (the latter two are refused anyway).
     */
    public String shownBaseUrl() {
        StringBuilder shown = new StringBuilder(baseUrl.getScheme()).append("://").append(baseUrl.getHost());
        if (baseUrl.getPort() != -1) {
            shown.append(':').append(baseUrl.getPort());
        }
        return shown.append(baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath()).toString();
    }

}
