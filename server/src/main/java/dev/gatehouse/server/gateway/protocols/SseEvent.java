package dev.gatehouse.server.gateway.protocols;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** Writes named server-sent events, {@code event: <type>\ndata: <json>\n\n}, as Anthropic and the Responses API send them. */
public final class SseEvent {
    private SseEvent() {}

    /** Appends one event to {@code out}; its name is the payload's {@code type}. */
    public static Buffer append(Buffer out, JsonObject payload) {
        return out.appendString("event: ").appendString(payload.getString("type")).appendString("\ndata: ")
                .appendBuffer(payload.toBuffer()).appendString("\n\n");
    }
}
