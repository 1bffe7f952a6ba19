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
 *     use every channel
 */
public record GatewayCaller(Claims claims, Caller meter, Optional<Set<String>> allowedChannels) {
    public GatewayCaller {
        requireNonNull(claims, "claims");
        requireNonNull(meter, "meter");
        allowedChannels = requireNonNull(allowedChannels, "allowedChannels").map(Set::copyOf);
    }

    public boolean mayUse(String channel) {
        return allowedChannels.map(allowed -> allowed.contains(channel)).orElse(true);
    }
}
