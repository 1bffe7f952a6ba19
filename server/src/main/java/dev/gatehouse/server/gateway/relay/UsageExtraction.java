package dev.gatehouse.server.gateway.relay;

import dev.gatehouse.server.gateway.metering.ResponseUsage;
import dev.gatehouse.server.gateway.metering.Usage;
import io.vertx.core.buffer.Buffer;
import java.util.Optional;

/**
 * The relay's seam to the metering package's {@code UsageRequestRewriter}, {@code StreamUsage} and
 * {@code ResponseUsage}. Implementations are thread-safe; taps are used by one request only, on its
 * event loop. Nothing here may block.
 */
public interface UsageExtraction {

    /** The streaming request body to send upstream (asking for the usage chunk), and whether the client asked for it. */
    Rewritten forStreaming(Buffer body);

    /**
     * A fresh tap for one SSE response.
     *
     * @param estimatedPromptTokens billed as the prompt when the stream ends without a usage chunk
     */
    StreamTap newStream(boolean clientAskedForUsage, long estimatedPromptTokens);

    /** A fresh tap for one JSON (non-SSE) response. */
    ResponseUsage newResponse();

    /** @param body the body to send upstream */
    record Rewritten(Buffer body, boolean clientAskedForUsage) {}

    /** Sees an SSE response chunk by chunk (any fragmentation, any line length). */
    interface StreamTap {
        /** The bytes to forward to the client (the usage-only chunk removed if the client did not ask for it). */
        Buffer onChunk(Buffer chunk);

        /** Bytes still held back when the upstream ends (a last line without a line break). */
        Buffer onEnd();

        /** The usage the upstream reported, if it did. */
        Optional<Usage> usage();

        /** What was delivered, for an aborted stream: the reported usage, else an estimate. */
        Usage deliveredUsage();
    }
}
