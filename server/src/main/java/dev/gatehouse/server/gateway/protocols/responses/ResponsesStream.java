package dev.gatehouse.server.gateway.protocols.responses;

import dev.gatehouse.server.gateway.protocols.ResponseTranslator;
import dev.gatehouse.server.gateway.protocols.SseEvent;
import dev.gatehouse.server.gateway.protocols.SseLines;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A chat completions stream translated into the Responses API's events as it passes: {@code
 * response.created} at the first chunk; text as a message item ({@code response.output_item.added},
 * {@code response.content_part.added}, {@code response.output_text.delta}s, then {@code
 * response.output_text.done}, {@code response.content_part.done}, {@code response.output_item.done});
 * each tool call as a {@code function_call} item with {@code response.function_call_arguments.delta}s;
 * at {@code [DONE]} or the upstream's end, {@code response.completed} (or {@code incomplete}) with
 * the whole output and the usage. An upstream error event becomes an {@code error} event. SSE
 * comments pass unchanged. Not thread-safe: one per response.
 */
public final class ResponsesStream implements ResponseTranslator {
    private final String model;
    private final SseLines lines = new SseLines();
    private final JsonArray output = new JsonArray();
    private String id;
    private boolean finished;
    private int sequence;
    /** The item being streamed (its index is output's last), null when none is open. */
    private JsonObject open;
    private final StringBuilder openText = new StringBuilder();
    private Object finishReason;
    private JsonObject usage;

    public ResponsesStream(String model) {
        this.model = model;
    }

    @Override
    public Buffer onChunk(Buffer chunk) {
        return translate(lines.feed(chunk));
    }

    @Override
    public Buffer onEnd() {
        Buffer out = translate(lines.end());
        if (id != null && !finished) {
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
                if (id != null) {
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
            out.appendBuffer(ResponsesErrors.event(error.getString("code", "upstream_error"),
                    error.getString("message", "The upstream failed.")));
            return;
        }
        if (id == null) {
            id = ResponsesResponse.id(event.getValue("id"));
            emit(out, new JsonObject().put("type", "response.created")
                    .put("response", ResponsesResponse.response(id, model, null, new JsonArray(), null)));
        }
        if (event.getValue("usage") instanceof JsonObject reported) {
            usage = ResponsesResponse.usage(reported);
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
            finishReason = reason;
        }
    }

    private void text(String text, Buffer out) {
        if (open == null || !"message".equals(open.getString("type"))) {
            openItem(ResponsesResponse.message(id, "", "in_progress").put("content", new JsonArray()), out);
            emit(out, part("response.content_part.added", ResponsesResponse.outputText("")));
        }
        openText.append(text);
        emit(out, itemEvent("response.output_text.delta").put("content_index", 0).put("delta", text));
    }

    private void toolCall(JsonObject call, Buffer out) {
        JsonObject function = call.getValue("function") instanceof JsonObject f ? f : new JsonObject();
        if (call.getValue("id") instanceof String callId) {
            openItem(ResponsesResponse.functionCall(callId, function.getString("name", ""), "", "in_progress"), out);
        }
        if (open != null && "function_call".equals(open.getString("type"))
                && function.getValue("arguments") instanceof String arguments && !arguments.isEmpty()) {
            openText.append(arguments);
            emit(out, itemEvent("response.function_call_arguments.delta").put("delta", arguments));
        }
    }

    private void openItem(JsonObject item, Buffer out) {
        closeItem(out);
        open = item;
        output.add(item);
        emit(out, new JsonObject().put("type", "response.output_item.added").put("output_index", output.size() - 1)
                .put("item", item.copy()));
    }

    private void closeItem(Buffer out) {
        if (open == null) {
            return;
        }
        String text = openText.toString();
        if ("message".equals(open.getString("type"))) {
            emit(out, itemEvent("response.output_text.done").put("content_index", 0).put("text", text));
            emit(out, part("response.content_part.done", ResponsesResponse.outputText(text)));
            open.put("content", new JsonArray().add(ResponsesResponse.outputText(text)));
        } else {
            emit(out, itemEvent("response.function_call_arguments.done").put("arguments", text));
            open.put("arguments", text);
        }
        open.put("status", "completed");
        emit(out, new JsonObject().put("type", "response.output_item.done").put("output_index", output.size() - 1)
                .put("item", open.copy()));
        open = null;
        openText.setLength(0);
    }

    private JsonObject itemEvent(String type) {
        return new JsonObject().put("type", type).put("item_id", open.getString("id")).put("output_index", output.size() - 1);
    }

    private JsonObject part(String type, JsonObject part) {
        return itemEvent(type).put("content_index", 0).put("part", part);
    }

    private void finish(Buffer out) {
        finished = true;
        closeItem(out);
        JsonObject response = ResponsesResponse.response(id, model, finishReason == null ? "stop" : finishReason,
                output, usage);
        emit(out, new JsonObject().put("type", "length".equals(finishReason) ? "response.incomplete" : "response.completed")
                .put("response", response));
    }

    private void emit(Buffer out, JsonObject event) {
        SseEvent.append(out, event.put("sequence_number", sequence++));
    }

    private static JsonObject parse(String data) {
        try {
            return new JsonObject(data);
        } catch (DecodeException | ClassCastException e) {
            return null;
        }
    }
}
