package dev.gatehouse.server.gateway.protocols;

import io.vertx.core.buffer.Buffer;

/**
 * Rewrites one upstream response body, chunk by chunk, into the client's protocol (a chat completion
 * into an Anthropic message, a chat stream into Anthropic's or the Responses API's events). Sees the
 * bytes after metering read them. One instance per response, used on its event loop only; nothing
 * here may block.
 */
public interface ResponseTranslator {
    /** The translated bytes to write now; may be empty. */
    Buffer onChunk(Buffer chunk);

    /** The translated bytes still to write when the upstream ends. */
    Buffer onEnd();
}
