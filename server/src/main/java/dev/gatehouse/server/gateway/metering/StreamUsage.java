package dev.gatehouse.server.gateway.metering;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads usage out of an OpenAI server-sent-event stream as it is forwarded, chunk by chunk.
 *
 * <p>Feed every upstream chunk to {@link #onChunk} in order and forward what it returns; at the end
 * of the upstream stream forward what {@link #onEnd} returns. Chunks may split the stream anywhere
 * (inside a {@code data:} line, between {@code \r} and {@code \n}); lines end with LF or CRLF.
 *
 * <p>What it finds:
 * <ul>
 *   <li>{@link #usage()}: the {@code usage} of the last {@code data:} event that carried one. OpenAI
 *       sends it in a final event whose {@code choices} is empty, before {@code data: [DONE]}, when
 *       the request set {@code stream_options.include_usage} (the relay's {@code ChatRequest} sets it);
 *       some compatible upstreams put it on the last content event instead, which works too.
 *   <li>{@link #completionChunks()}: {@code data:} events with a non-empty {@code choices} array
 *       that were passed on: what the client was delivered, for billing a stream cut short.
 * </ul>
 *
 * <p>Stripping: with {@code stripUsageChunk} (the client did not ask for usage) exactly the
 * usage-only event, its {@code data:} line and the blank line ending it, is removed; every other
 * byte is passed through unchanged and in order. Without it {@link #onChunk} returns the very
 * buffer it was given.
 *
 * <p>Byte cap: only the current incomplete line is held, at most {@code maxLineBytes} bytes
 * ({@value #DEFAULT_MAX_LINE_BYTES} by default, well above the 2 MB lines large tool-call or
 * reasoning chunks reach). In stripping mode those held bytes are forwarded once their line is
 * complete. A line longer than the cap is passed through without inspection as it arrives; it is
 * neither counted nor stripped, so if the usage event itself is that long, usage stays unknown and
 * the event reaches the client. {@link #uninspectedLines()} counts such lines.
 *
 * <p>Not thread-safe: one instance per response, fed from one thread (the response's event loop).
 */
public final class StreamUsage {
    /** The default cap of one line: 4 MiB. */
    public static final int DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;

    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);

    private final boolean stripUsageChunk;
    private final int maxLineBytes;
    private Buffer line = Buffer.buffer();
    private boolean overlong;
    private boolean dropBlankLine;
    private Usage usage;
    private long completionChunks;
    private long uninspectedLines;
    private boolean usageChunkStripped;

    /** A reader with the {@link #DEFAULT_MAX_LINE_BYTES default} line cap. */
    public StreamUsage(boolean stripUsageChunk) {
        this(stripUsageChunk, DEFAULT_MAX_LINE_BYTES);
    }

    /** A reader holding at most {@code maxLineBytes} of an incomplete line. */
    public StreamUsage(boolean stripUsageChunk, int maxLineBytes) {
        if (maxLineBytes < 64) {
            throw new IllegalArgumentException("maxLineBytes: " + maxLineBytes + " (expected: >= 64)");
        }
        this.stripUsageChunk = stripUsageChunk;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Reads the next chunk of the upstream stream and returns the bytes to forward to the client
     * now: the chunk itself when not stripping; otherwise every line completed by this chunk
     * (except the usage-only event) and, for a line over the cap, what arrived of it. May be empty.
     */
    public Buffer onChunk(Buffer chunk) {
        Buffer out = stripUsageChunk ? Buffer.buffer(chunk.length() + line.length()) : null;
        int length = chunk.length();
        int start = 0;
        while (start < length) {
            int newline = indexOfNewline(chunk, start);
            int end = newline < 0 ? length : newline + 1;
            int segment = end - start;
            if (overlong) {
                append(out, chunk, start, segment);
                overlong = newline < 0;
            } else if (line.length() + segment > maxLineBytes) {
                uninspectedLines++;
                dropBlankLine = false;
                append(out, line, 0, line.length());
                append(out, chunk, start, segment);
                line = Buffer.buffer();
                overlong = newline < 0;
            } else {
                line.appendBuffer(chunk, start, segment);
                if (newline >= 0) {
                    Buffer complete = line;
                    line = Buffer.buffer();
                    inspect(complete, out);
                }
            }
            start = end;
        }
        return stripUsageChunk ? out : chunk;
    }

    /**
     * Ends the stream: inspects a last line that had no line break and returns the bytes still to
     * forward (empty when not stripping: those bytes were already returned by {@link #onChunk}).
     */
    public Buffer onEnd() {
        Buffer out = stripUsageChunk ? Buffer.buffer(line.length()) : null;
        if (line.length() > 0) {
            Buffer last = line;
            line = Buffer.buffer();
            inspect(last, out);
        }
        overlong = false;
        return stripUsageChunk ? out : Buffer.buffer();
    }

    /** The usage the upstream reported, once its usage event has been read. */
    public Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }

    /** Content events (a non-empty {@code choices}) passed on to the client so far. */
    public long completionChunks() {
        return completionChunks;
    }

    /**
     * What to bill: the reported usage, or, when the stream ended without one (aborted, or an
     * upstream that does not report it), the given prompt estimate and one completion token per
     * content event delivered (OpenAI streams about one token per event).
     */
    public Usage billableUsage(long estimatedPromptTokens) {
        return usage != null ? usage : new Usage(estimatedPromptTokens, completionChunks);
    }

    /** Lines longer than the cap that were passed through without inspection. */
    public long uninspectedLines() {
        return uninspectedLines;
    }

    /** Whether the usage-only event was removed from the forwarded bytes. */
    public boolean usageChunkStripped() {
        return usageChunkStripped;
    }

    private void inspect(Buffer complete, Buffer out) {
        int end = complete.length();
        if (end > 0 && complete.getByte(end - 1) == '\n') {
            end--;
        }
        if (end > 0 && complete.getByte(end - 1) == '\r') {
            end--;
        }
        if (dropBlankLine) {
            dropBlankLine = false;
            if (end == 0) {
                return;
            }
        }
        if (end >= DATA.length && startsWithData(complete)) {
            int payload = DATA.length;
            if (payload < end && complete.getByte(payload) == ' ') {
                payload++;
            }
            if (readEvent(complete, payload, end) && stripUsageChunk) {
                usageChunkStripped = true;
                dropBlankLine = true;
                return;
            }
        }
        append(out, complete, 0, complete.length());
    }

    /** Reads one {@code data:} payload; true if it is a usage-only event. */
    private boolean readEvent(Buffer bytes, int from, int to) {
        int first = from;
        while (first < to && isJsonSpace(bytes.getByte(first))) {
            first++;
        }
        if (first >= to || bytes.getByte(first) != '{') {
            return false;
        }
        JsonObject event;
        try {
            event = new JsonObject(bytes.getBuffer(first, to));
        } catch (DecodeException | ClassCastException e) {
            return false;
        }
        Optional<Usage> reported = Usage.fromResponse(event);
        reported.ifPresent(value -> usage = value);
        Object choices = event.getValue("choices");
        if (choices instanceof JsonArray array && !array.isEmpty()) {
            completionChunks++;
            return false;
        }
        return reported.isPresent();
    }

    private static boolean startsWithData(Buffer bytes) {
        for (int i = 0; i < DATA.length; i++) {
            if (bytes.getByte(i) != DATA[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isJsonSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private static int indexOfNewline(Buffer chunk, int from) {
        int length = chunk.length();
        for (int i = from; i < length; i++) {
            if (chunk.getByte(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static void append(Buffer out, Buffer from, int offset, int length) {
        if (out != null && length > 0) {
            out.appendBuffer(from, offset, length);
        }
    }
}
