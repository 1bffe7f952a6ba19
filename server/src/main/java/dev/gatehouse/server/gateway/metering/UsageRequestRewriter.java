package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Makes a streaming request ask the upstream for usage: for a body with {@code "stream": true} it
 * sets {@code stream_options.include_usage} to {@code true} and tells whether the client had asked
 * for it itself, so that {@link StreamUsage} strips the usage-only chunk again when it had not.
 *
 * <p>Byte cap: bodies over {@link #MAX_BODY_BYTES} (or the given cap) are refused with 413 before
 * being parsed. Stateless and thread-safe.
 */
public final class UsageRequestRewriter {
    /** The default largest body parsed: 8 MiB. The relay normally caps bodies lower ({@code server.maxBodyBytes}). */
    public static final long MAX_BODY_BYTES = 8L * 1024 * 1024;

    private UsageRequestRewriter() {}

    /**
     * The body to send upstream.
     *
     * <ul>
     *   <li>{@code stream} is not {@code true}: the same buffer, {@code clientAskedForUsage = false}
     *       (non-streaming responses always carry usage).
     *   <li>{@code stream: true} and {@code stream_options.include_usage: true} already: the same
     *       buffer, byte for byte, {@code clientAskedForUsage = true}.
     *   <li>otherwise: the body re-encoded with {@code stream_options.include_usage: true} (other
     *       members of {@code stream_options} and of the body are kept, in order),
     *       {@code clientAskedForUsage = false}.
     * </ul>
     *
     * @throws InvalidRequestBodyException 413 {@code request_too_large} over {@link #MAX_BODY_BYTES};
     *     400 {@code invalid_json} if the body is not a JSON object; 400 {@code invalid_stream_options}
     *     if {@code stream_options} is neither absent, {@code null} nor an object
     */
    public static Rewritten forStreaming(Buffer body) {
        return forStreaming(body, MAX_BODY_BYTES);
    }

    /** {@link #forStreaming(Buffer)} with another byte cap. */
    public static Rewritten forStreaming(Buffer body, long maxBodyBytes) {
        requireNonNull(body, "body");
        if (body.length() > maxBodyBytes) {
            throw new InvalidRequestBodyException(413, "request_too_large", null,
                    "The request body is " + body.length() + " bytes (expected: at most " + maxBodyBytes + ").");
        }
        JsonObject json;
        try {
            json = new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            throw new InvalidRequestBodyException(400, "invalid_json", null,
                    "The request body is not a valid JSON object.");
        }
        if (!Boolean.TRUE.equals(json.getValue("stream"))) {
            return new Rewritten(body, false);
        }
        Object options = json.getValue("stream_options");
        if (options != null && !(options instanceof JsonObject)) {
            throw new InvalidRequestBodyException(400, "invalid_stream_options", "stream_options",
                    "stream_options must be an object.");
        }
        JsonObject streamOptions = (JsonObject) options;
        if (streamOptions != null && Boolean.TRUE.equals(streamOptions.getValue("include_usage"))) {
            return new Rewritten(body, true);
        }
        if (streamOptions == null) {
            streamOptions = new JsonObject();
            json.put("stream_options", streamOptions);
        }
        streamOptions.put("include_usage", true);
        return new Rewritten(json.toBuffer(), false);
    }

    /**
     * A request body ready for the upstream.
     *
     * @param body what to send
     * @param clientAskedForUsage whether the client's own body asked for {@code include_usage}: if
     *     not, the usage-only chunk must not reach it ({@code new StreamUsage(!clientAskedForUsage)})
     */
    public record Rewritten(Buffer body, boolean clientAskedForUsage) {
        public Rewritten {
            requireNonNull(body, "body");
        }

        /** Whether the usage-only chunk must be removed from the stream sent to the client. */
        public boolean stripUsageChunk() {
            return !clientAskedForUsage;
        }
    }
}
