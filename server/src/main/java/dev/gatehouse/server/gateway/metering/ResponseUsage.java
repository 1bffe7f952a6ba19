package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Finds the usage of a non-streaming response that is forwarded chunk by chunk: feed it a copy of
 * every chunk, then ask {@link #usage()} at the end.
 *
 * <p>Byte cap: bodies of up to {@value #MAX_PARSED_BYTES} bytes are kept whole and parsed exactly
 * ({@link Usage#fromJson}). Beyond that only the last {@value #TAIL_BYTES} bytes are kept and the
 * last {@code "usage": {...}} object in them is read (OpenAI puts {@code usage} last, also in very
 * large embeddings responses); if it is not there, usage is unknown.
 *
 * <p>Not thread-safe: one instance per response, fed from one thread (the response's event loop).
 */
public final class ResponseUsage {
    /** Bodies up to this size are parsed whole. */
    public static final int MAX_PARSED_BYTES = 8 * 1024 * 1024;
    /** How much of the end of a larger body is searched for {@code usage}. */
    public static final int TAIL_BYTES = 64 * 1024;

    private Buffer kept = Buffer.buffer();
    private long total;

    /** Takes note of the next chunk of the body. The chunk is not modified or retained. */
    public void onChunk(Buffer chunk) {
        requireNonNull(chunk, "chunk");
        total += chunk.length();
        kept.appendBuffer(chunk);
        if (total > MAX_PARSED_BYTES && kept.length() > 2 * TAIL_BYTES) {
            kept = kept.getBuffer(kept.length() - TAIL_BYTES, kept.length());
        }
    }

    /** The bytes seen so far. */
    public long bytes() {
        return total;
    }

    /** The usage of the body fed so far (meant to be asked once it is complete). */
    public Optional<Usage> usage() {
        if (total <= MAX_PARSED_BYTES) {
            return Usage.fromJson(kept);
        }
        return fromTail(kept.toString(StandardCharsets.UTF_8));
    }

    /** The last {@code "usage": {...}} object in a piece of JSON text, if it is complete. */
    static Optional<Usage> fromTail(String text) {
        int key = text.lastIndexOf("\"usage\"");
        if (key < 0) {
            return Optional.empty();
        }
        int i = key + "\"usage\"".length();
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        if (i >= text.length() || text.charAt(i) != ':') {
            return Optional.empty();
        }
        i++;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        if (i >= text.length() || text.charAt(i) != '{') {
            return Optional.empty();
        }
        int end = endOfObject(text, i);
        if (end < 0) {
            return Optional.empty();
        }
        try {
            return Usage.fromUsageObject(new JsonObject(text.substring(i, end + 1)));
        } catch (DecodeException e) {
            return Optional.empty();
        }
    }

    /** The index of the brace closing the object opened at {@code start}, or -1. */
    private static int endOfObject(String text, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
