package dev.gatehouse.server.gateway.protocols.anthropic;

import dev.gatehouse.server.gateway.protocols.ChatFields;
import dev.gatehouse.server.gateway.protocols.ChatStreamTranslator;
import dev.gatehouse.server.gateway.protocols.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * A chat completions stream translated into Anthropic's events as it passes: {@code message_start}
 * and a {@code ping} at the first chunk; text deltas as a text block, each tool call as a {@code
 * tool_use} block whose arguments arrive as {@code input_json_delta}s ({@code content_block_start},
 * {@code _delta}, {@code _stop}); at {@code [DONE]} or the upstream's end, {@code message_delta}
 * with the stop reason and the usage (input included, as OpenAI reports it only at the end) and
 * {@code message_stop}. An upstream error event becomes Anthropic's {@code error} event. Not
 * thread-safe: one per response.
 */
public final class MessagesStream extends ChatStreamTranslator {
    private final String model;
    private final Map<Integer, Integer> blockOfToolCall = new HashMap<>();
    private int blocks;
    /** The open block's index, -1 when none is open. */
    private int open = -1;
    private boolean openIsText;
    private String stopReason = "end_turn";
    private JsonObject usage = MessagesResponse.usage(null);

    public MessagesStream(String model) {
        this.model = model;
    }

    @Override
    protected void start(JsonObject firstChunk, Buffer out) {
        SseEvent.append(out, new JsonObject().put("type", "message_start").put("message", new JsonObject()
                .put("id", MessagesResponse.messageId(firstChunk.getValue("id"))).put("type", "message")
                .put("role", "assistant").put("model", model).put("content", new JsonArray())
                .putNull("stop_reason").putNull("stop_sequence").put("usage", usage)));
        SseEvent.append(out, new JsonObject().put("type", "ping"));
    }

    @Override
    protected void usage(JsonObject reported) {
        usage = MessagesResponse.usage(reported);
    }

    @Override
    protected void finishReason(String reason) {
        stopReason = MessagesResponse.stopReason(reason);
    }

    @Override
    protected Buffer error(JsonObject error) {
        return AnthropicErrors.event("api_error", ChatFields.text(error.getValue("message"), "The upstream failed."));
    }

    @Override
    protected void text(String text, Buffer out) {
        if (open < 0 || !openIsText) {
            startBlock(new JsonObject().put("type", "text").put("text", ""), true, out);
        }
        delta(open, new JsonObject().put("type", "text_delta").put("text", text), out);
    }

    @Override
    protected void toolCall(JsonObject call, Buffer out) {
        int index = call.getValue("index") instanceof Number number ? number.intValue() : 0;
        JsonObject function = call.getValue("function") instanceof JsonObject f ? f : new JsonObject();
        Integer block = blockOfToolCall.get(index);
        if (block == null) {
            startBlock(new JsonObject().put("type", "tool_use").put("id", ChatFields.text(call.getValue("id"), "toolu_" + index))
                    .put("name", ChatFields.text(function.getValue("name"), "")).put("input", new JsonObject()), false, out);
            block = open;
            blockOfToolCall.put(index, block);
        }
        if (function.getValue("arguments") instanceof String arguments && !arguments.isEmpty() && block == open) {
            delta(block, new JsonObject().put("type", "input_json_delta").put("partial_json", arguments), out);
        }
    }

    private void startBlock(JsonObject contentBlock, boolean text, Buffer out) {
        stopBlock(out);
        open = blocks++;
        openIsText = text;
        SseEvent.append(out, new JsonObject().put("type", "content_block_start").put("index", open)
                .put("content_block", contentBlock));
    }

    private void stopBlock(Buffer out) {
        if (open >= 0) {
            SseEvent.append(out, new JsonObject().put("type", "content_block_stop").put("index", open));
            open = -1;
        }
    }

    private static void delta(int index, JsonObject delta, Buffer out) {
        SseEvent.append(out, new JsonObject().put("type", "content_block_delta").put("index", index).put("delta", delta));
    }

    @Override
    protected void finish(Buffer out) {
        stopBlock(out);
        SseEvent.append(out, new JsonObject().put("type", "message_delta")
                .put("delta", new JsonObject().put("stop_reason", stopReason).putNull("stop_sequence"))
                .put("usage", usage));
        SseEvent.append(out, new JsonObject().put("type", "message_stop"));
    }
}
