package dev.gatehouse.server.gateway.channels;

import dev.gatehouse.server.http.Shown;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.gateway.GatewayCaller;
import dev.gatehouse.server.gateway.GatewayConfig;
import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.Protocol;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The gateway's channels and the routing stage: which channels may serve one request, in the order
 * to try them.
 *
 * <p>Routing: the provider is {@code ?provider=}, else {@code gateway.defaultProvider}, else any.
 * Among that provider's channels, those serving the model and allowed to the caller (a sandbox token
 * names its channels) are eligible; an unknown provider is a 400, a model no channel of the provider
 * serves (under its name or as an alias) a 404 {@code model_not_found}, a model outside the token's
 * {@code allowed_models} a 403 {@code model_not_allowed}, a model served only by channels the caller
 * may not use a 403 {@code channel_not_allowed}, a model no allowed channel serves in the endpoint's
 * protocol (natively or by translation) a 400 {@code protocol_not_supported}. Eligible channels are tried tier by tier, the lowest {@code priority}
 * number first (0 is the best); within a tier in weighted random order ({@code weight}). Channels
 * taken out by their {@link ChannelHealth} are skipped until their {@link ChannelProber} brings them
 * back; when every eligible channel is out the answer is 503 {@code channels_unavailable}.
 *
 * <p>Each channel has its own HTTP client, pooling at most {@code gateway.maxConnectionsPerChannel}
 * keep-alive connections with at most {@code gateway.maxWaitingPerChannel} requests waiting for one
 * (beyond that a request fails at once with {@link io.vertx.core.http.ConnectionPoolTooBusyException}).
 *
 * <p>The channels in use are one immutable snapshot, replaced whole by a {@link ChannelReloader}: a
 * request routes on the snapshot current when it arrives and keeps the channel objects it got.
 *
 * <p>Thread-safe. {@link #close()} stops the probers and closes every current channel's HTTP client.
 */
public final class Channels implements AutoCloseable {
    private final AtomicReference<Snapshot> current;
    private final Optional<ChannelFactory> factory;

    /**
     * The channels in use and the provider used when a request names none. Immutable.
     *
     * @param channels in configuration order
     */
    record Snapshot(List<Channel> channels, Optional<String> defaultProvider) {
        Snapshot {
            channels = List.copyOf(channels);
            requireNonNull(defaultProvider, "defaultProvider");
        }
    }

    private Channels(Snapshot snapshot, Optional<ChannelFactory> factory) {
        this.current = new AtomicReference<>(snapshot);
        this.factory = factory;
    }

    /** No channels, for a process without the gateway role; nothing to close. */
    public static Channels none() {
        return new Channels(new Snapshot(List.of(), Optional.empty()), Optional.empty());
    }

    /**
     * Reads each channel's API key ({@code apiKeyFile}, or {@code apiKeyEnv} from {@code env}) and
     * creates its HTTP client and prober. The probers run on the context current when this is called
     * (a context of their own when called outside Vert.x); so do those of channels a reload adds.
     *
     * @param clock the wall time of the channels' health changes ({@link ChannelHealth#state()})
     * @throws IllegalStateException naming the channel whose key cannot be read (never the key)
     */
    public static Channels open(Vertx vertx, GatewayConfig config, int eventLoops, Function<String, String> env,
            Clock clock) {
        requireNonNull(vertx, "vertx");
        requireNonNull(config, "config");
        requireNonNull(env, "env");
        ChannelFactory factory = new ChannelFactory(vertx, config, eventLoops, env, clock);
        List<Channel> channels = new ArrayList<>();
        try {
            for (ChannelConfig channel : config.channels()) {
                channels.add(factory.open(channel, factory.apiKey(channel)));
            }
        } catch (RuntimeException e) {
            channels.forEach(Channel::close);
            throw e;
        }
        return new Channels(new Snapshot(channels, config.defaultProvider()), Optional.of(factory));
    }

    /**
     * The channels to try for {@code model}, best first (see the class comment), among those that
     * speak one of {@code speaking}.
     *
     * @param model the public name the caller asked for
     * @throws GatewayException 400 unknown provider or no channel speaking one of {@code speaking}, 404
     *     model not found, 403 model or channel not allowed, 503 every eligible channel out
     */
    public List<Channel> plan(Optional<String> requestedProvider, String model, GatewayCaller caller,
            Set<Protocol> speaking) {
        Snapshot snapshot = current.get();
        Optional<String> provider = requestedProvider.or(snapshot::defaultProvider);
        String wanted = provider.orElse(null);
        // One pass on every request (plain loops: this runs per call); the refusals keep their order.
        boolean ofProvider = false;
        boolean serving = false;
        boolean allowed = false;
        List<Channel> able = new ArrayList<>(2);
        for (Channel channel : snapshot.channels()) {
            ChannelConfig config = channel.config();
            if (wanted != null && !config.provider().equals(wanted)) {
                continue;
            }
            ofProvider = true;
            if (!config.serves(model)) {
                continue;
            }
            serving = true;
            if (!caller.mayUse(config)) {
                continue;
            }
            allowed = true;
            if (speaksAny(config, speaking)) {
                able.add(channel);
            }
        }
        if (!ofProvider) {
            throw GatewayException.invalidRequest("provider_not_found", "No provider "
                    + Shown.quote(provider.orElse("")) + " is configured.", "provider");
        }
        if (!serving) {
            throw new GatewayException(404, "invalid_request_error", "model_not_found", "The model " + Shown.quote(model)
                    + " does not exist" + provider.map(p -> " at provider " + Shown.quote(p)).orElse("") + ".", "model", -1);
        }
        if (!caller.mayAskFor(model)) {
            throw new GatewayException(403, "permission_error", "model_not_allowed", "Your token may not use the model "
                    + Shown.quote(model) + " (its allowed_models do not name it).", "model", -1);
        }
        if (!allowed) {
            throw new GatewayException(403, "permission_error", "channel_not_allowed", "Your token may not use a"
                    + " channel serving " + Shown.quote(model) + ".", "model", -1);
        }
        if (able.isEmpty()) {
            throw GatewayException.invalidRequest("protocol_not_supported", "No channel serving " + Shown.quote(model)
                    + " speaks " + speaking.stream().map(Protocol::value).sorted().collect(Collectors.joining(" or "))
                    + ", which this endpoint needs.", "model");
        }
        List<Channel> admitted = new ArrayList<>(able.size());
        for (Channel channel : order(able)) {
            if (channel.health().isIn()) {
                admitted.add(channel);
            }
        }
        if (admitted.isEmpty()) {
            throw new GatewayException(503, "api_error", "channels_unavailable", "Every channel serving "
                    + Shown.quote(model) + " is failing; retry later.", null, 5);
        }
        return Collections.unmodifiableList(admitted);
    }

    private static boolean speaksAny(ChannelConfig config, Set<Protocol> speaking) {
        for (Protocol protocol : speaking) {
            if (config.speaks(protocol)) {
                return true;
            }
        }
        return false;
    }

    /** Public names of the models the caller may use, optionally of one provider: model id → provider. */
    public Map<String, String> models(Optional<String> provider, GatewayCaller caller) {
        Map<String, String> models = new LinkedHashMap<>();
        for (Channel channel : current.get().channels()) {
            if (provider.map(p -> !channel.config().provider().equals(p)).orElse(false) || !caller.mayUse(channel.config())) {
                continue;
            }
            channel.config().publicModels().stream().filter(caller::mayAskFor)
                    .forEach(model -> models.putIfAbsent(model, channel.config().provider()));
        }
        return models;
    }

    /** The channels in use now, in configuration order. */
    public List<Channel> all() {
        return current.get().channels();
    }

    Snapshot snapshot() {
        return current.get();
    }

    /** Puts {@code next} in use; returns the snapshot it replaced. */
    Snapshot swap(Snapshot next) {
        return current.getAndSet(requireNonNull(next, "next"));
    }

    /** How channels are opened, absent for {@link #none()}. */
    Optional<ChannelFactory> factory() {
        return factory;
    }

    /** Tiers by ascending priority; within a tier, weighted random order without replacement. */
    static List<Channel> order(List<Channel> channels) {
        if (channels.size() == 1) {
            return channels;
        }
        TreeMap<Integer, List<Channel>> tiers = new TreeMap<>();
        channels.forEach(channel -> tiers.computeIfAbsent(channel.config().priority(), p -> new ArrayList<>()).add(channel));
        List<Channel> ordered = new ArrayList<>(channels.size());
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (List<Channel> tier : tiers.values()) {
            List<Channel> left = new ArrayList<>(tier);
            while (!left.isEmpty()) {
                long total = left.stream().mapToLong(channel -> channel.config().weight()).sum();
                long pick = random.nextLong(total);
                for (int i = 0; i < left.size(); i++) {
                    pick -= left.get(i).config().weight();
                    if (pick < 0) {
                        ordered.add(left.remove(i));
                        break;
                    }
                }
            }
        }
        return ordered;
    }

    @Override
    public void close() {
        current.get().channels().forEach(Channel::close);
    }
}
