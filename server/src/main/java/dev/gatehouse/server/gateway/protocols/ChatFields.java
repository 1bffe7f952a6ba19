package dev.gatehouse.server.gateway.protocols;

import io.vertx.core.json.JsonObject;

/** Small field moves shared by the translations to and from chat completions. Stateless. */
public final class ChatFields {
    private ChatFields() {}

    /** Copies {@code from.field} to {@code to.as} when it is present (not null). */
    public static void copy(JsonObject from, String field, JsonObject to, String as) {
        Object value = from.getValue(field);
        if (value != null) {
            to.put(as, value);
        }
    }

    /** {@code value} when it is text, else {@code otherwise}: an upstream's odd field never breaks a translation. */
    public static String text(Object value, String otherwise) {
        return value instanceof String text ? text : otherwise;
    }

    /** Makes {@code chat} stream, asking for usage, when {@code request} asks to stream. */
    public static void streamIfAsked(JsonObject request, JsonObject chat) {
        if (Boolean.TRUE.equals(request.getValue("stream"))) {
            chat.put("stream", true).put("stream_options", new JsonObject().put("include_usage", true));
        }
    }
}
