package dev.gatehouse.server.gateway.channels;

/**
 * A reload of the channels was refused, whole: the configuration has errors (the message lists them
 * as {@code gatehouse config check} does) or a channel's API key cannot be read (the message names the
 * channel, never the key). The channels in use stay as they were.
 */
public final class ChannelsRefusedException extends RuntimeException {
    public ChannelsRefusedException(String message) {
        super(message);
    }
}
