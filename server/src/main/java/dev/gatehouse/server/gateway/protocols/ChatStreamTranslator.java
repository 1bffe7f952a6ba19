package dev.gatehouse.server.gateway.protocols;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The reading half of a chat completions stream's translation: splits the stream into its {@code
 * data:} events (fragmented anywhere), passes SSE comments (keep-alives) on unchanged, and hands a
 * subclass what each chunk carries — the first chunk, text, tool-call deltas, the finish reason,
 * the usage — then the end, at {@code [DONE]} or the upstream's end, once. An upstream error event
 * ends the translation with the subclass's error event. Not thread-safe: one per response.
 */
public abstract class ChatStreamTranslator implements ResponseTranslator {
    private final SseLines lines = new SseLines();
    private boolean started;
    private boolean finished;

    @Override
    public final Buffer onChunk(Buffer chunk) {
        return translate(lines.feed(chunk));
    }

    @Override
    public final Buffer onEnd() {
        Buffer out = translate(lines.end());
        end(out);
        return out;
    }

    /** The first chunk arrived (its {@code id} names the response). */
    protected abstract void start(JsonObject firstChunk, Buffer out);

    protected abstract void text(String text, Buffer out);

    /** One entry of a chunk's {@code delta.tool_calls}: {@code index}, and {@code id} and name when a call starts. */
    protected abstract void toolCall(JsonObject call, Buffer out);

    protected abstract void finishReason(String reason);

    /** The chat {@code usage} object the stream reported. */
    protected abstract void usage(JsonObject usage);

    /** The stream ended: close what is open and state the result. */
    protected abstract void finish(Buffer out);

    /** The error event ending the stream for an upstream error event with this {@code error} object. */
    protected abstract Buffer error(JsonObject error);

    private Buffer translate(List<String> complete) {
        Buffer out = Buffer.buffer();
        for (String line : complete) {
            String data = SseLines.data(line);
            if (data == null) {
                if (line.startsWith(":")) {
                    out.appendString(line).appendString("\n\n");
                }
            } else if (!finished && data.strip().equals("[DONE]")) {
                end(out);
            } else if (!finished) {
                JsonObject chunk = parse(data);
                if (chunk != null) {
                    onChunk(chunk, out);
                }
            }
        }
        return out;
    }

    private void end(Buffer out) {
        if (started && !finished) {
            finished = true;
            finish(out);
        }
    }

    private void onChunk(JsonObject chunk, Buffer out) {
        if (chunk.getValue("error") instanceof JsonObject error) {
            finished = true;
            out.appendBuffer(error(error));
            return;
        }
        if (!started) {
            started = true;
            start(chunk, out);
        }
        if (chunk.getValue("usage") instanceof JsonObject usage) {
            usage(usage);
        }
        if (!(chunk.getValue("choices") instanceof JsonArray choices) || choices.isEmpty()
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
            finishReason(reason);
        }
    }

    private static JsonObject parse(String data) {
        try {
            return new JsonObject(data);
        } catch (DecodeException | ClassCastException e) {
            return null;
        }
    }
}
