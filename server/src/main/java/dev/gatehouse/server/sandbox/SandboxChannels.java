package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.Shown;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which gateway channels a sandbox's token names: its profile's channels, or every configured
 * channel, in both cases only those its organization may use. Immutable, thread-safe.
 */
final class SandboxChannels {
    private final List<ChannelConfig> channels;

    SandboxChannels(List<ChannelConfig> channels) {
        this.channels = List.copyOf(requireNonNull(channels, "channels"));
    }

    /**
     * @throws ApiException 503 {@code no_channels} when no channel is left for the organization
     */
    List<String> forSandbox(SandboxProfile profile, String organization) {
        List<String> names = channels.stream()
                .filter(channel -> profile.channels().isEmpty() || profile.channels().contains(channel.name()))
                .filter(channel -> channel.allows(organization))
                .map(ChannelConfig::name)
                .toList();
        if (names.isEmpty()) {
            throw new ApiException(503, "no_channels", "Profile " + Shown.quote(profile.name())
                    + " gives no gateway channel organization " + Shown.quote(organization) + " may use; an operator"
                    + " must configure gateway.channels (or the profile's channels).");
        }
        return names;
    }

    /**
     * @throws ApiException 400 {@code unknown_model} when none of {@code names} serves {@code model}
     */
    void requireServed(Optional<String> model, List<String> names) {
        if (model.isEmpty()) {
            return;
        }
        Set<String> served = new LinkedHashSet<>();
        channels.stream().filter(channel -> names.contains(channel.name())).forEach(channel -> served.addAll(channel.publicModels()));
        if (!served.contains(model.get())) {
            throw new ApiException(400, "unknown_model", "model: " + Shown.quote(model.get())
                    + " (expected one of the models this sandbox's channels serve: " + Shown.quoteAll(served) + ")");
        }
    }
}
