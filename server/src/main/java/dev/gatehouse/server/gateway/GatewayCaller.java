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
 */
public record GatewayCaller(Claims claims, Caller meter, Optional<Set<String>> allowedChannels) {
    public GatewayCaller {
        requireNonNull(claims, "claims");
        requireNonNull(meter, "meter");
        allowedChannels = requireNonNull(allowedChannels, "allowedChannels").map(Set::copyOf);
    }

    /** Whether the token names {@code channel} (PATs and sessions name none) and the channel admits the organization. */
    public boolean mayUse(ChannelConfig channel) {
        return allowedChannels.map(allowed -> allowed.contains(channel.name())).orElse(true)
                && channel.allows(meter.organization());
    }
}
