package dev.gatehouse.server.gateway.protocols;

import static java.util.Objects.requireNonNull;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * A translator of a JSON (non-streaming) response: the body is collected, at most {@value
 * #MAX_BYTES} bytes (a chat completion is far smaller), and translated whole at its end. A body that
 * is not one JSON object, or is larger, is translated as {@code null}. Not thread-safe.
 */
public final class WholeBody implements ResponseTranslator {
    static final int MAX_BYTES = 32 * 1024 * 1024;

    private final Function<JsonObject, JsonObject> translate;
    private Buffer body = Buffer.buffer();
    private boolean tooLarge;

    /** @param translate the upstream's body (null when unreadable) to the client's */
    public WholeBody(Function<JsonObject, JsonObject> translate) {
        this.translate = requireNonNull(translate, "translate");
    }

    @Override
    public Buffer onChunk(Buffer chunk) {
        if (!tooLarge && body.length() + chunk.length() > MAX_BYTES) {
            tooLarge = true;
            body = Buffer.buffer();
        }
        if (!tooLarge) {
            body.appendBuffer(chunk);
        }
        return Buffer.buffer(0);
    }

    @Override
    public Buffer onEnd() {
        return translate.apply(tooLarge ? null : parse(body)).toBuffer();
    }

    private static JsonObject parse(Buffer body) {
        try {
            return new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            return null;
        }
    }
}
