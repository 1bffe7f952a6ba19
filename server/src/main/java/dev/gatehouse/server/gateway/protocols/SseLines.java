package dev.gatehouse.server.gateway.protocols;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a server-sent-event stream, fragmented anywhere, into its complete lines (without line
 * ends). Holds at most {@value #MAX_LINE_BYTES} bytes of an incomplete line; a longer line is dropped
 * (a translated stream cannot pass on what it cannot read). Not thread-safe.
 */
public final class SseLines {
    static final int MAX_LINE_BYTES = 4 * 1024 * 1024;

    private Buffer partial = Buffer.buffer();
    private boolean overlong;

    /** The lines {@code chunk} completes. */
    public List<String> feed(Buffer chunk) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < chunk.length(); i++) {
            if (chunk.getByte(i) == '\n') {
                take(chunk, start, i, lines);
                start = i + 1;
            }
        }
        if (start < chunk.length()) {
            if (partial.length() + chunk.length() - start > MAX_LINE_BYTES) {
                overlong = true;
                partial = Buffer.buffer();
            } else if (!overlong) {
                partial.appendBuffer(chunk, start, chunk.length() - start);
            }
        }
        return lines;
    }

    /** The last line, when the stream ended without a line break after it. */
    public List<String> end() {
        List<String> lines = new ArrayList<>();
        if (partial.length() > 0 && !overlong) {
            lines.add(text(partial));
        }
        partial = Buffer.buffer();
        return lines;
    }

    /** The payload of a {@code data:} line, or null for any other line. */
    public static String data(String line) {
        if (!line.startsWith("data:")) {
            return null;
        }
        return line.length() > 5 && line.charAt(5) == ' ' ? line.substring(6) : line.substring(5);
    }

    private void take(Buffer chunk, int from, int to, List<String> lines) {
        if (overlong) {
            overlong = false;
            partial = Buffer.buffer();
            return;
        }
        Buffer line = partial.length() == 0 ? chunk.getBuffer(from, to) : partial.appendBuffer(chunk, from, to - from);
        partial = Buffer.buffer();
        lines.add(text(line));
    }

    private static String text(Buffer line) {
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }
}
