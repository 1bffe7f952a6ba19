package dev.gatehouse.server.gateway.protocols.responses;

import dev.gatehouse.server.gateway.protocols.ChatTranslation;
import dev.gatehouse.server.gateway.protocols.ResponseTranslator;
import io.vertx.core.json.JsonObject;

/** OpenAI's Responses API served by a chat completions channel, statelessly (docs/protocols.md). Stateless. */
public final class ResponsesTranslation implements ChatTranslation {
    @Override
    public JsonObject toChat(JsonObject request) {
        return ResponsesRequest.toChat(request);
    }

    @Override
    public ResponseTranslator fromChat(boolean sse, String model) {
        return sse ? new ResponsesStream(model) : ResponsesResponse.translator(model);
    }
}
