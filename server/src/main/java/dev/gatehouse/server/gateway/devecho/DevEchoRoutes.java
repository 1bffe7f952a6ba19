package dev.gatehouse.server.gateway.devecho;

import dev.gatehouse.server.http.PeerAddresses;
import dev.gatehouse.server.http.Routes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The development channel's upstream, in OpenAI's wire format: {@code GET /dev/echo/v1/models} and
 * {@code POST /dev/echo/v1/chat/completions}, whole or streamed (SSE, one chunk per word, the usage
 * chunk when {@code stream_options.include_usage} asks for it). The answer repeats the last user
 * message; usage counts a prompt token per 4 characters and a completion token per word.
 */
public final class DevEchoRoutes implements Routes {
    private static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final int MAX_ECHO_CHARS = 2000;
    private final AtomicLong ids = new AtomicLong();

    @Override
    public void register(Router router) {
        router.route(DevEcho.PATH + "/*").handler(DevEchoRoutes::thisMachineOnly);
        router.get(DevEcho.PATH + "/models").handler(DevEchoRoutes::models);
        router.post(DevEcho.PATH + "/chat/completions").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .handler(this::chat);
    }

    @Override
    public List<String> ownBodyLimitPrefixes() {
        return List.of(DevEcho.PATH + "/");
    }

    /**
     * Only Gatehouse's own gateway calls it (over loopback, or the interface it listens on): it is
     * not behind the gateway's authentication, limits and metering, so nobody else may use it.
     */
    private static void thisMachineOnly(RoutingContext ctx) {
        if (!PeerAddresses.isThisMachine(ctx.request())) {
            json(ctx.response(), 403, new JsonObject().put("error", new JsonObject()
                    .put("message", "the development channel's upstream answers only Gatehouse itself")
                    .put("type", "permission_error").putNull("param").put("code", "forbidden")));
            return;
        }
        ctx.next();
    }

    private static void models(RoutingContext ctx) {
        json(ctx.response(), 200, new JsonObject().put("object", "list").put("data", new JsonArray().add(new JsonObject()
                .put("id", DevEcho.MODEL).put("object", "model").put("created", 0).put("owned_by", DevEcho.PROVIDER))));
    }

    private void chat(RoutingContext ctx) {
        JsonObject request;
        try {
            request = ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            request = null;
        }
        if (request == null || !(request.getValue("messages") instanceof JsonArray messages)) {
            json(ctx.response(), 400, new JsonObject().put("error", new JsonObject()
                    .put("message", "expected a JSON object with messages").put("type", "invalid_request_error")
                    .putNull("param").put("code", "invalid_request")));
            return;
        }
        String reply = "Echo: " + lastUserText(messages);
        String[] words = reply.split(" ");
        JsonObject usage = new JsonObject()
                .put("prompt_tokens", Math.max(1, (messages.encode().length() + 3) / 4))
                .put("completion_tokens", words.length);
        usage.put("total_tokens", usage.getInteger("prompt_tokens") + words.length);
        String id = "chatcmpl-echo-" + ids.incrementAndGet();
        long created = System.currentTimeMillis() / 1000;
        if (!request.getBoolean("stream", false)) {
            json(ctx.response(), 200, new JsonObject().put("id", id).put("object", "chat.completion").put("created", created)
                    .put("model", DevEcho.MODEL).put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                            .put("message", new JsonObject().put("role", "assistant").put("content", reply))
                            .put("finish_reason", "stop")))
                    .put("usage", usage));
            return;
        }
        boolean includeUsage = request.getJsonObject("stream_options", new JsonObject()).getBoolean("include_usage", false);
        Buffer events = Buffer.buffer();
        for (int i = 0; i < words.length; i++) {
            JsonObject delta = new JsonObject().put("content", (i == 0 ? "" : " ") + words[i]);
            if (i == 0) {
                delta.put("role", "assistant");
            }
            events.appendString(event(chunk(id, created, delta, null)));
        }
        events.appendString(event(chunk(id, created, new JsonObject(), "stop")));
        if (includeUsage) {
            events.appendString(event(new JsonObject().put("id", id).put("object", "chat.completion.chunk")
                    .put("created", created).put("model", DevEcho.MODEL).put("choices", new JsonArray()).put("usage", usage)));
        }
        events.appendString("data: [DONE]\n\n");
        ctx.response().putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache").end(events);
    }

    private static String lastUserText(JsonArray messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.getValue(i) instanceof JsonObject message && "user".equals(message.getValue("role"))) {
                String text = text(message.getValue("content")).strip();
                if (!text.isEmpty()) {
                    return text.length() > MAX_ECHO_CHARS ? text.substring(0, MAX_ECHO_CHARS) + "…" : text;
                }
            }
        }
        return "(no text)";
    }

    /** A message's text: the string, or the {@code text} of its parts. */
    private static String text(Object content) {
        if (content instanceof String text) {
            return text;
        }
        StringBuilder text = new StringBuilder();
        if (content instanceof JsonArray parts) {
            for (Object part : parts) {
                if (part instanceof JsonObject object && object.getValue("text") instanceof String piece) {
                    text.append(text.isEmpty() ? "" : " ").append(piece);
                }
            }
        }
        return text.toString();
    }

    private static JsonObject chunk(String id, long created, JsonObject delta, String finishReason) {
        return new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("created", created)
                .put("model", DevEcho.MODEL).put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                        .put("delta", delta).put("finish_reason", finishReason)));
    }

    private static String event(JsonObject data) {
        return "data: " + data.encode() + "\n\n";
    }

    private static void json(HttpServerResponse response, int status, JsonObject body) {
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toBuffer());
    }
}
