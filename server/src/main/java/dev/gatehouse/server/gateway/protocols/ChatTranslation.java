package dev.gatehouse.server.gateway.protocols;

import io.vertx.core.json.JsonObject;

/**
 * How a client protocol is served by a channel that speaks only OpenAI chat completions: the
 * request translated to a chat completions request, the response translated back. Stateless and
 * thread-safe; the translators it opens serve one response each.
 */
public interface ChatTranslation {
    /**
     * The chat completions request for {@code request} (already checked); a streaming one asks for usage.
     *
     * @throws dev.gatehouse.server.gateway.GatewayException 400 for what cannot be translated
     */
    JsonObject toChat(JsonObject request);

    /** A translator of one successful chat completions response back into the client's protocol. */
    ResponseTranslator fromChat(boolean sse, String model);
}
