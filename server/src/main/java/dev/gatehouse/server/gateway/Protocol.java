package dev.gatehouse.server.gateway;

import dev.gatehouse.server.http.Shown;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A wire protocol a channel speaks, as {@code gateway.channels[].protocols} names it. A channel
 * serves a client protocol natively when it speaks it; the gateway translates {@link #ANTHROPIC_MESSAGES}
 * and {@link #OPENAI_RESPONSES} to {@link #OPENAI_CHAT} for channels that speak only chat completions.
 */
public enum Protocol {
    OPENAI_CHAT("openai.chat"),
    OPENAI_COMPLETIONS("openai.completions"),
    OPENAI_EMBEDDINGS("openai.embeddings"),
    OPENAI_RESPONSES("openai.responses"),
    ANTHROPIC_MESSAGES("anthropic.messages");

    /** What a channel that does not list its protocols speaks. */
    public static final Set<Protocol> DEFAULTS = EnumSet.of(OPENAI_CHAT, OPENAI_COMPLETIONS, OPENAI_EMBEDDINGS);

    /** The {@code anthropic-version} sent to Anthropic upstreams when the client states none. */
    public static final String ANTHROPIC_VERSION = "2023-06-01";

    private final String value;

    Protocol(String value) {
        this.value = value;
    }

    /** The configuration's name, e.g. {@code anthropic.messages}. */
    public String value() {
        return value;
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static Protocol of(String value) {
        for (Protocol protocol : values()) {
            if (protocol.value.equals(value)) {
                return protocol;
            }
        }
        throw new IllegalArgumentException(Shown.quote(value) + " (expected: one of " + Arrays.stream(values())
                .map(Protocol::value).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return value;
    }
}
