package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads usage out of a server-sent-event stream as it is forwarded, chunk by chunk: OpenAI's by
 * default, Anthropic's or the Responses API's by their {@link StreamFormat} (which says where their
 * events carry content and usage; what follows is said of OpenAI's).
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
 *       that were passed on, and {@link #deliveredCompletionTokens()}, their estimated tokens (one
 *       per event, or one per four characters of text, tool-call arguments and reasoning when that
 *       is more): what the client was delivered, for billing a stream cut short.
 * </ul>
 *
 * <p>Allowance: given a completion allowance (what a budget leaves the request), the first content
 * event that would take {@link #deliveredCompletionTokens()} past it is not passed on, nor is
 * anything after it; {@link #exhausted()} then says so, and the caller ends the stream.
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

    private final StreamFormat format;
    private final boolean stripUsageChunk;
    private final int maxLineBytes;
    private final long completionAllowance;
    /** Whether bytes are copied out line by line (stripping, or counting against an allowance). */
    private final boolean filtering;
    private long deliveredCompletionTokens;
    private boolean exhausted;
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
        this(stripUsageChunk, maxLineBytes, Long.MAX_VALUE);
    }

    /**
     * A reader that stops passing content on past {@code completionAllowance} completion tokens
     * ({@code Long.MAX_VALUE}: never).
     */
    public StreamUsage(boolean stripUsageChunk, int maxLineBytes, long completionAllowance) {
        this(StreamFormat.OPENAI_CHAT, stripUsageChunk, maxLineBytes, completionAllowance);
    }

    /**
     * A reader of a stream in {@code format}; only {@link StreamFormat#OPENAI_CHAT} has a usage-only
     * event to strip.
     */
    public StreamUsage(StreamFormat format, boolean stripUsageChunk, int maxLineBytes, long completionAllowance) {
        if (maxLineBytes < 64) {
            throw new IllegalArgumentException("maxLineBytes: " + maxLineBytes + " (expected: >= 64)");
        }
        if (completionAllowance < 0) {
            throw new IllegalArgumentException("completionAllowance: " + completionAllowance + " (expected: >= 0)");
        }
        this.format = requireNonNull(format, "format");
        this.stripUsageChunk = stripUsageChunk;
        this.maxLineBytes = maxLineBytes;
        this.completionAllowance = completionAllowance;
        this.filtering = stripUsageChunk || completionAllowance != Long.MAX_VALUE;
    }

    /**
     * Reads the next chunk of the upstream stream and returns the bytes to forward to the client
     * now: the chunk itself when not stripping; otherwise every line completed by this chunk
     * (except the usage-only event) and, for a line over the cap, what arrived of it. May be empty.
     */
    public Buffer onChunk(Buffer chunk) {
        if (exhausted) {
            return Buffer.buffer(0);
        }
        Buffer out = filtering ? Buffer.buffer(chunk.length() + line.length()) : null;
        int length = chunk.length();
        int start = 0;
        while (start < length && !exhausted) {
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
        return filtering ? out : chunk;
    }

    /**
     * Ends the stream: inspects a last line that had no line break and returns the bytes still to
     * forward (empty when not stripping: those bytes were already returned by {@link #onChunk}).
     */
    public Buffer onEnd() {
        Buffer out = filtering ? Buffer.buffer(line.length()) : null;
        if (line.length() > 0 && !exhausted) {
            Buffer last = line;
            line = Buffer.buffer();
            inspect(last, out);
        }
        overlong = false;
        return filtering ? out : Buffer.buffer();
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
     * What to bill: the reported usage (for Anthropic's, at least what was delivered), or, when the stream ended without one (aborted, or an
     * upstream that does not report it), the given prompt estimate and one completion token per
     * content event delivered (OpenAI streams about one token per event; see {@link
     * #deliveredCompletionTokens()}).
     */
    public Usage billableUsage(long estimatedPromptTokens) {
        if (usage == null) {
            return new Usage(estimatedPromptTokens, deliveredCompletionTokens);
        }
        // Anthropic states its output at the start and again only at the end: a stream cut between
        // them delivered more than the start said.
        return format == StreamFormat.ANTHROPIC_MESSAGES && usage.completionTokens() < deliveredCompletionTokens
                ? new Usage(usage.promptTokens(), deliveredCompletionTokens) : usage;
    }

    /** The completion tokens passed on so far, as estimated from the content events. */
    public long deliveredCompletionTokens() {
        return deliveredCompletionTokens;
    }

    /** Whether the allowance ran out: nothing more is passed on, and the stream should end. */
    public boolean exhausted() {
        return exhausted;
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
            Event event = readEvent(complete, payload, end);
            if (event == Event.OVER_ALLOWANCE) {
                exhausted = true;
                return;
            }
            if (event == Event.USAGE_ONLY && stripUsageChunk) {
                usageChunkStripped = true;
                dropBlankLine = true;
                return;
            }
        }
        append(out, complete, 0, complete.length());
    }

    private enum Event { OTHER, CONTENT, USAGE_ONLY, OVER_ALLOWANCE }

    /** Reads one {@code data:} payload. */
    private Event readEvent(Buffer bytes, int from, int to) {
        int first = from;
        while (first < to && isJsonSpace(bytes.getByte(first))) {
            first++;
        }
        if (first >= to || bytes.getByte(first) != '{') {
            return Event.OTHER;
        }
        JsonObject event;
        try {
            event = new JsonObject(bytes.getBuffer(first, to));
        } catch (DecodeException | ClassCastException e) {
            return Event.OTHER;
        }
        long chars = format.contentChars(event);
        Usage reported = format.usage(event, usage);
        if (chars >= 0) {
            long tokens = Math.max(1, chars / 4);
            if (deliveredCompletionTokens + tokens > completionAllowance) {
                return Event.OVER_ALLOWANCE;
            }
            deliveredCompletionTokens += tokens;
            completionChunks++;
        }
        if (reported != null) {
            usage = reported;
        }
        return chars >= 0 ? Event.CONTENT : reported != null && format == StreamFormat.OPENAI_CHAT ? Event.USAGE_ONLY
                : Event.OTHER;
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
