package dev.gatehouse.server.gateway;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.server.gateway.metering.Caller;
import java.util.Optional;
import java.util.Set;

/**
 * An authenticated gateway caller.
 *
 * @param claims the verified token
 * @param meter the caller as metered and limited
 * @param allowedChannels the channels a sandbox token names; empty for PATs and sessions, which may
 *     use every channel their organization may use
 * @param allowedModels the public model names the token's {@code allowed_models} claim names; empty
 *     when it names none (any model its channels serve)
 */
public record GatewayCaller(Claims claims, Caller meter, Optional<Set<String>> allowedChannels,
        Optional<Set<String>> allowedModels) {
    /**
     * The capability a PAT or session needs to call the gateway, and a PAT to mint sandbox tokens
     * at the bridge (which would call it).
     */
    public static final String LLM_USE = "llm:use";

    public GatewayCaller {
        requireNonNull(claims, "claims");
        requireNonNull(meter, "meter");
        allowedChannels = requireNonNull(allowedChannels, "allowedChannels").map(Set::copyOf);
        allowedModels = requireNonNull(allowedModels, "allowedModels").map(Set::copyOf);
    }

    /** Whether the token names {@code channel} (PATs and sessions name none) and the channel admits the organization. */
    public boolean mayUse(ChannelConfig channel) {
        return allowedChannels.map(allowed -> allowed.contains(channel.name())).orElse(true)
                && channel.allows(meter.organization());
    }

    /** Whether the token's model allow-list, if it has one, names the public model {@code model}. */
    public boolean mayAskFor(String model) {
        return allowedModels.map(allowed -> allowed.contains(model)).orElse(true);
    }
}
