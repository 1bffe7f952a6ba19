package dev.gatehouse.server.gateway.protocols.anthropic;

import dev.gatehouse.server.gateway.protocols.ChatTranslation;
import dev.gatehouse.server.gateway.protocols.ResponseTranslator;
import io.vertx.core.json.JsonObject;

/** Anthropic's Messages served by a chat completions channel (docs/protocols.md). Stateless. */
public final class MessagesTranslation implements ChatTranslation {
    @Override
    public JsonObject toChat(JsonObject request) {
        return MessagesRequest.toChat(request);
    }

    @Override
    public ResponseTranslator fromChat(boolean sse, String model) {
        return sse ? new MessagesStream(model) : MessagesResponse.translator(model);
    }
}
