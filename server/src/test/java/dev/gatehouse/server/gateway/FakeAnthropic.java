package dev.gatehouse.server.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The Anthropic Messages wire format for {@link FakeUpstream} ({@code POST .../messages} and {@code
 * .../messages/count_tokens}), by model: {@code claude-json} a whole message, {@code claude-sse}
 * its stream (message_start, ping, text deltas, message_delta, message_stop), {@code claude-tool}
 * a tool use, {@code claude-sse-reset} a stream cut after three deltas, {@code claude-sse-1000} 1,000
 * one-token deltas. Usage: 7 input, 3 cache-creation and 4 cache-read tokens (14 prompt tokens), 2
 * (whole) or 3 (streamed) output tokens.
 */
final class FakeAnthropic {
    static final JsonObject USAGE = new JsonObject().put("input_tokens", 7).put("cache_creation_input_tokens", 3)
            .put("cache_read_input_tokens", 4).put("output_tokens", 2);

    private FakeAnthropic() {}

    static void answer(Vertx vertx, HttpServerRequest request, String model) {
        HttpServerResponse response = request.response();
        if (request.path().endsWith("/count_tokens")) {
            json(response, new JsonObject().put("input_tokens", 42));
            return;
        }
        switch (model) {
            case "claude-json" -> json(response, message(new JsonArray().add(text("Hello!")), "end_turn"));
            case "claude-tool" -> json(response, message(new JsonArray().add(new JsonObject().put("type", "tool_use")
                    .put("id", "toolu_1").put("name", "get_weather").put("input", new JsonObject().put("city", "Paris"))),
                    "tool_use"));
            case "claude-sse" -> sse(response, stream(List.of("Hel", "lo")), true);
            case "claude-sse-1000" -> sse(response, stream(java.util.Collections.nCopies(1000, "x")), true);
            case "claude-sse-reset" -> {
                sse(response, stream(List.of("partial", " more", " text")).subList(0, 6), false);
                vertx.setTimer(50, t -> request.connection().close());
            }
            default -> response.setStatusCode(404).putHeader("Content-Type", "application/json").end(new JsonObject()
                    .put("type", "error").put("error", new JsonObject().put("type", "not_found_error")
                            .put("message", "model: " + model)).encode());
        }
    }

    private static JsonObject text(String text) {
        return new JsonObject().put("type", "text").put("text", text);
    }

    private static JsonObject message(JsonArray content, String stopReason) {
        return new JsonObject().put("id", "msg_1").put("type", "message").put("role", "assistant").put("model", "claude")
                .put("content", content).put("stop_reason", stopReason).putNull("stop_sequence").put("usage", USAGE.copy());
    }

    private static void json(HttpServerResponse response, JsonObject body) {
        response.putHeader("Content-Type", "application/json").end(body.encode());
    }

    /** The events of a streamed text message with these deltas. */
    private static List<String> stream(List<String> deltas) {
        List<String> events = new ArrayList<>();
        events.add(event(new JsonObject().put("type", "message_start").put("message", message(new JsonArray(), null)
                .put("usage", USAGE.copy().put("output_tokens", 1)))));
        events.add(event(new JsonObject().put("type", "content_block_start").put("index", 0).put("content_block", text(""))));
        events.add(event(new JsonObject().put("type", "ping")));
        deltas.forEach(delta -> events.add(event(new JsonObject().put("type", "content_block_delta").put("index", 0)
                .put("delta", new JsonObject().put("type", "text_delta").put("text", delta)))));
        events.add(event(new JsonObject().put("type", "content_block_stop").put("index", 0)));
        events.add(event(new JsonObject().put("type", "message_delta")
                .put("delta", new JsonObject().put("stop_reason", "end_turn").putNull("stop_sequence"))
                .put("usage", new JsonObject().put("output_tokens", deltas.size() == 2 ? 3 : deltas.size()))));
        events.add(event(new JsonObject().put("type", "message_stop")));
        return events;
    }

    private static String event(JsonObject payload) {
        return "event: " + payload.getString("type") + "\ndata: " + payload.encode() + "\n\n";
    }

    private static void sse(HttpServerResponse response, List<String> events, boolean end) {
        response.setChunked(true).putHeader("Content-Type", "text/event-stream");
        events.forEach(response::write);
        if (end) {
            response.end();
        }
    }
}
