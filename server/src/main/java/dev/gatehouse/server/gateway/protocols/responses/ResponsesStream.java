package dev.gatehouse.server.gateway.protocols.responses;

import dev.gatehouse.server.gateway.protocols.ChatFields;
import dev.gatehouse.server.gateway.protocols.ChatStreamTranslator;
import dev.gatehouse.server.gateway.protocols.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A chat completions stream translated into the Responses API's events as it passes: {@code
 * response.created} at the first chunk; text as a message item ({@code response.output_item.added},
 * {@code response.content_part.added}, {@code response.output_text.delta}s, then {@code
 * response.output_text.done}, {@code response.content_part.done}, {@code response.output_item.done});
 * each tool call as a {@code function_call} item with {@code response.function_call_arguments.delta}s;
 * at {@code [DONE]} or the upstream's end, {@code response.completed} (or {@code incomplete}) with
 * the whole output and the usage. An upstream error event becomes an {@code error} event. Not
 * thread-safe: one per response.
 */
public final class ResponsesStream extends ChatStreamTranslator {
    private final String model;
    private final JsonArray output = new JsonArray();
    private String id;
    private int sequence;
    /** The item being streamed (its index is output's last), null when none is open. */
    private JsonObject open;
    private final StringBuilder openText = new StringBuilder();
    private String finishReason;
    private JsonObject usage;

    public ResponsesStream(String model) {
        this.model = model;
    }

    @Override
    protected void start(JsonObject firstChunk, Buffer out) {
        id = ResponsesResponse.id(firstChunk.getValue("id"));
        emit(out, new JsonObject().put("type", "response.created")
                .put("response", ResponsesResponse.response(id, model, null, new JsonArray(), null)));
    }

    @Override
    protected void usage(JsonObject reported) {
        usage = ResponsesResponse.usage(reported);
    }

    @Override
    protected void finishReason(String reason) {
        finishReason = reason;
    }

    @Override
    protected Buffer error(JsonObject error) {
        return ResponsesErrors.event(error.getValue("code") instanceof String code ? code : "upstream_error",
                ChatFields.text(error.getValue("message"), "The upstream failed."));
    }

    @Override
    protected void text(String text, Buffer out) {
        if (open == null || !"message".equals(open.getString("type"))) {
            openItem(ResponsesResponse.message(id, "", "in_progress").put("content", new JsonArray()), out);
            emit(out, part("response.content_part.added", ResponsesResponse.outputText("")));
        }
        openText.append(text);
        emit(out, itemEvent("response.output_text.delta").put("content_index", 0).put("delta", text));
    }

    @Override
    protected void toolCall(JsonObject call, Buffer out) {
        JsonObject function = call.getValue("function") instanceof JsonObject f ? f : new JsonObject();
        if (call.getValue("id") instanceof String callId) {
            openItem(ResponsesResponse.functionCall(callId, ChatFields.text(function.getValue("name"), ""), "",
                    "in_progress"), out);
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

    @Override
    protected void finish(Buffer out) {
        closeItem(out);
        JsonObject response = ResponsesResponse.response(id, model, finishReason == null ? "stop" : finishReason,
                output, usage);
        emit(out, new JsonObject().put("type", "length".equals(finishReason) ? "response.incomplete" : "response.completed")
                .put("response", response));
    }

    private void emit(Buffer out, JsonObject event) {
        SseEvent.append(out, event.put("sequence_number", sequence++));
    }
}
