package dev.gatehouse.server.gateway.channels;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.gateway.GatewayConfig;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces the {@link Channels} in use with {@code gateway.channels} and {@code gateway.defaultProvider}
 * of the configuration as it is now; every other gateway setting stays as it was at start.
 *
 * <p>All or nothing: the configuration is read and checked, and every API key read, before anything
 * changes; on any error ({@link ChannelsRefusedException}) the channels in use stay. A channel whose
 * configuration and key are unchanged keeps its object (its pools, health and probe). Added and
 * changed channels get new objects; the snapshot is swapped at once, so new requests see the new set
 * while those already routed keep the objects they got. A removed or replaced channel is drained: its
 * prober stops at once, its HTTP clients close when their requests in flight have ended, after
 * {@code grace} at the latest.
 *
 * <p>Thread-safe; reloads run one at a time. {@link #reload} blocks (it reads files).
 */
public final class ChannelReloader {
    private static final Logger log = LoggerFactory.getLogger(ChannelReloader.class);

    private final Channels channels;
    private final Supplier<GatewayConfig> source;
    private final Duration grace;

    /**
     * @param source reads the configuration anew; throws {@link ChannelsRefusedException} when it has errors
     * @param grace how long a removed channel's requests in flight may take before its clients close
     */
    public ChannelReloader(Channels channels, Supplier<GatewayConfig> source, Duration grace) {
        this.channels = requireNonNull(channels, "channels");
        this.source = requireNonNull(source, "source");
        this.grace = requireNonNull(grace, "grace");
    }

    /**
     * The outcome of a reload.
     *
     * @param change what changed
     * @param drained completes when every removed or replaced channel's clients are closed
     */
    public record Reload(ChannelChange change, Future<Void> drained) {}

    /**
     * Reloads; {@code record} is given the change before it takes effect (to audit it: when it throws,
     * nothing changes and its exception propagates).
     *
     * @throws ChannelsRefusedException when the configuration or a key cannot be used; nothing changed
     */
    public synchronized Reload reload(Consumer<ChannelChange> record) {
        requireNonNull(record, "record");
        ChannelFactory factory = channels.factory()
                .orElseThrow(() -> new ChannelsRefusedException("this process runs no gateway channels"));
        GatewayConfig config = source.get();
        Map<String, Optional<String>> keys = new LinkedHashMap<>();
        for (ChannelConfig channel : config.channels()) {
            try {
                keys.put(channel.name(), factory.apiKey(channel));
            } catch (IllegalStateException e) {
                throw new ChannelsRefusedException(e.getMessage());
            }
        }
        Map<String, Channel> before = new LinkedHashMap<>();
        channels.snapshot().channels().forEach(channel -> before.put(channel.name(), channel));
        List<Channel> next = new ArrayList<>();
        List<Channel> opened = new ArrayList<>();
        List<Channel> retired = new ArrayList<>();
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (ChannelConfig channel : config.channels()) {
            Optional<String> key = keys.get(channel.name());
            Channel existing = before.remove(channel.name());
            if (existing != null && existing.config().equals(channel) && existing.apiKey().equals(key)) {
                next.add(existing);
                continue;
            }
            Channel fresh = factory.open(channel, key);
            opened.add(fresh);
            next.add(fresh);
            if (existing == null) {
                added.add(channel.name());
            } else {
                changed.add(channel.name());
                retired.add(existing);
            }
        }
        retired.addAll(before.values());
        ChannelChange change = new ChannelChange(added, List.copyOf(before.keySet()), changed,
                config.defaultProvider());
        try {
            record.accept(change);
        } catch (RuntimeException e) {
            opened.forEach(Channel::close);
            throw e;
        }
        channels.swap(new Channels.Snapshot(next, config.defaultProvider()));
        log.atInfo().addKeyValue("added", added).addKeyValue("removed", change.removed())
                .addKeyValue("changed", changed).log("gateway channels reloaded");
        Future<Void> drained = Future.join(retired.stream().map(channel -> channel.drain(grace)).toList()).mapEmpty();
        return new Reload(change, drained);
    }
}
