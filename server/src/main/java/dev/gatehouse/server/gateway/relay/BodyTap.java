package dev.gatehouse.server.gateway.relay;

import dev.gatehouse.server.gateway.metering.Usage;
import io.vertx.core.buffer.Buffer;
import java.util.Optional;

/**
 * The pump's body interceptor: sees one response body chunk by chunk (any fragmentation), decides
 * what reaches the client and when, and reads the usage from it. Used by one response only, on its
 * event loop; nothing here may block.
 */
public interface BodyTap {
    /** The bytes to write to the client now (may be empty, or an earlier chunk held back). */
    Buffer onChunk(Buffer chunk);

    /** The bytes still held back when the upstream ends; written with the end. */
    Buffer onEnd();

    /** The usage the upstream reported, if it did. */
    Optional<Usage> usage();

    /** What an aborted response delivered: for a stream, its usage or an estimate; otherwise unknown. */
    Optional<Usage> delivered();

    /**
     * Whether the response ran past the completion allowance its budget left: nothing more is
     * passed on and the response must end with an error event.
     */
    default boolean exhausted() {
        return false;
    }
}
