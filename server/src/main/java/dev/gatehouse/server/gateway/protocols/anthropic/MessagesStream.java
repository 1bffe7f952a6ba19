package dev.gatehouse.server.gateway.protocols.anthropic;

import dev.gatehouse.server.gateway.protocols.ResponseTranslator;
import dev.gatehouse.server.gateway.protocols.SseEvent;
import dev.gatehouse.server.gateway.protocols.SseLines;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A chat completions stream translated into Anthropic's events as it passes: {@code message_start}
 * and a {@code ping} at the first chunk; text deltas as a text block, each tool call as a {@code
 * tool_use} block whose arguments arrive as {@code input_json_delta}s ({@code content_block_start},
 * {@code _delta}, {@code _stop}); at {@code [DONE]} or the upstream's end, {@code message_delta}
 * with the stop reason and the usage (input included, as OpenAI reports it only at the end) and
 * {@code message_stop}. An upstream error event becomes Anthropic's {@code error} event. SSE
 * comments pass unchanged. Not thread-safe: one per response.
 */
public final class MessagesStream implements ResponseTranslator {
    private final String model;
    private final SseLines lines = new SseLines();
    private final Map<Integer, Integer> blockOfToolCall = new HashMap<>();
    private boolean started;
    private boolean finished;
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
    public Buffer onChunk(Buffer chunk) {
        return translate(lines.feed(chunk));
    }

    @Override
    public Buffer onEnd() {
        Buffer out = translate(lines.end());
        if (started && !finished) {
            finish(out);
        }
        return out;
    }

    private Buffer translate(List<String> complete) {
        Buffer out = Buffer.buffer();
        for (String line : complete) {
            String data = SseLines.data(line);
            if (data == null) {
                if (line.startsWith(":")) {
                    out.appendString(line).appendString("\n\n");
                }
                continue;
            }
            if (finished) {
                continue;
            }
            if (data.strip().equals("[DONE]")) {
                if (started) {
                    finish(out);
                }
                continue;
            }
            JsonObject event = parse(data);
            if (event != null) {
                onEvent(event, out);
            }
        }
        return out;
    }

    private void onEvent(JsonObject event, Buffer out) {
        if (event.getValue("error") instanceof JsonObject error) {
            finished = true;
            out.appendBuffer(AnthropicErrors.event("api_error", error.getString("message", "The upstream failed.")));
            return;
        }
        if (!started) {
            started = true;
            SseEvent.append(out, new JsonObject().put("type", "message_start").put("message", new JsonObject()
                    .put("id", MessagesResponse.messageId(event.getValue("id"))).put("type", "message")
                    .put("role", "assistant").put("model", model).put("content", new JsonArray())
                    .putNull("stop_reason").putNull("stop_sequence").put("usage", usage)));
            SseEvent.append(out, new JsonObject().put("type", "ping"));
        }
        if (event.getValue("usage") instanceof JsonObject reported) {
            usage = MessagesResponse.usage(reported);
        }
        if (!(event.getValue("choices") instanceof JsonArray choices) || choices.isEmpty()
                || !(choices.getValue(0) instanceof JsonObject choice)) {
            return;
        }
        if (choice.getValue("delta") instanceof JsonObject delta) {
            if (delta.getValue("content") instanceof String text && !text.isEmpty()) {
                text(text, out);
            }
            if (delta.getValue("tool_calls") instanceof JsonArray calls) {
                for (Object call : calls) {
                    if (call instanceof JsonObject toolCall) {
                        toolCall(toolCall, out);
                    }
                }
            }
        }
        if (choice.getValue("finish_reason") instanceof String reason) {
            stopReason = MessagesResponse.stopReason(reason);
        }
    }

    private void text(String text, Buffer out) {
        if (open < 0 || !openIsText) {
            startBlock(new JsonObject().put("type", "text").put("text", ""), true, out);
        }
        delta(open, new JsonObject().put("type", "text_delta").put("text", text), out);
    }

    private void toolCall(JsonObject call, Buffer out) {
        int index = call.getValue("index") instanceof Number number ? number.intValue() : 0;
        JsonObject function = call.getValue("function") instanceof JsonObject f ? f : new JsonObject();
        Integer block = blockOfToolCall.get(index);
        if (block == null) {
            startBlock(new JsonObject().put("type", "tool_use").put("id", call.getString("id", "toolu_" + index))
                    .put("name", function.getString("name", "")).put("input", new JsonObject()), false, out);
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

    private void finish(Buffer out) {
        finished = true;
        stopBlock(out);
        SseEvent.append(out, new JsonObject().put("type", "message_delta")
                .put("delta", new JsonObject().put("stop_reason", stopReason).putNull("stop_sequence"))
                .put("usage", usage));
        SseEvent.append(out, new JsonObject().put("type", "message_stop"));
    }

    private static JsonObject parse(String data) {
        try {
            return new JsonObject(data);
        } catch (DecodeException | ClassCastException e) {
            return null;
        }
    }
}
