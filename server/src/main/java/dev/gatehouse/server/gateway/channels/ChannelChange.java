package dev.gatehouse.server.gateway.channels;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * What a reload changed, by channel name; never a key. Immutable.
 *
 * @param added channels that are new
 * @param removed channels no longer configured
 * @param changed channels whose configuration or API key changed: replaced by a new channel object
 * @param defaultProvider {@code gateway.defaultProvider} after the reload
 */
public record ChannelChange(List<String> added, List<String> removed, List<String> changed,
        Optional<String> defaultProvider) {
    public ChannelChange {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
        requireNonNull(defaultProvider, "defaultProvider");
    }
}
