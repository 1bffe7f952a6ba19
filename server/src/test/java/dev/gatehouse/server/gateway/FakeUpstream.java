package dev.gatehouse.server.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OpenAI-compatible upstream on a free port, behaving by the request's {@code model}:
 * {@code json} a chat completion with usage (Content-Length); {@code json-fragmented} the same
 * chunked, 17 bytes every 20 ms; {@code sse} a stream with a keep-alive comment and a
 * usage chunk; {@code sse-slow} fragmented chunks with pauses; {@code sse-2mb} one 2 MB data line;
 * {@code sse-reset} two chunks then a closed connection; {@code sse-endless} a chunk every 50 ms
 * until the gateway goes away (noticed in {@link #closedMidStream}); {@code hang} headers never sent;
 * {@code sse-stall} one chunk then silence. An instance created with a fixed status answers every
 * request with it. Records every request.
 */
final class FakeUpstream implements AutoCloseable {
    record Seen(String path, String authorization, JsonObject body) {}

    static final String CHAT_COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,"
            + "\"model\":\"json\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello!\"},"
            + "\"finish_reason\":\"stop\",\"logprobs\":null}],"
            + "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2,\"total_tokens\":9}}";

    final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    final AtomicInteger closedMidStream = new AtomicInteger();
    final CountDownLatch endlessClosed = new CountDownLatch(1);
    private final Vertx vertx;
    private final int fixedStatus;
    private HttpServer server;

    private FakeUpstream(Vertx vertx, int fixedStatus) {
        this.vertx = vertx;
        this.fixedStatus = fixedStatus;
    }

    static FakeUpstream start(Vertx vertx) {
        return start(vertx, 0);
    }

    static FakeUpstream start(Vertx vertx, int fixedStatus) {
        FakeUpstream upstream = new FakeUpstream(vertx, fixedStatus);
        upstream.server = vertx.createHttpServer().requestHandler(upstream::handle).listen(0).await();
        return upstream;
    }

    int port() {
        return server.actualPort();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    int requests() {
        return seen.size();
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            JsonObject json = body.length() == 0 ? new JsonObject() : new JsonObject(body);
            seen.add(new Seen(request.path(), request.getHeader("Authorization"), json));
            HttpServerResponse response = request.response();
            if (fixedStatus != 0) {
                response.setStatusCode(fixedStatus).putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("error", new JsonObject().put("message", "fake " + fixedStatus)).encode());
                return;
            }
            String model = json.getString("model", "");
            switch (model) {
                case "json" -> json(request, response);
                case "json-fragmented" -> {
                    response.setChunked(true).putHeader("Content-Type", "application/json");
                    writeSlowly(response, CHAT_COMPLETION, 0);
                }
                case "sse" -> sse(response, List.of(": keep-alive\n\n", chunk("Hel"), chunk("lo"), usageChunk(), "data: [DONE]\n\n"));
                case "sse-slow" -> slow(response);
                case "sse-2mb" -> sse(response, List.of(chunk("x".repeat(2 * 1024 * 1024)), usageChunk(), "data: [DONE]\n\n"));
                case "sse-reset" -> {
                    sseHead(response).write(chunk("partial"));
                    response.write(chunk(" more")).onComplete(v -> vertx.setTimer(50, t -> request.connection().close()));
                }
                case "sse-endless" -> endless(request, response);
                case "sse-stall" -> sseHead(response).write(chunk("first"));
                case "hang" -> { /* never answer */ }
                default -> response.setStatusCode(404).putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("error", new JsonObject().put("message", "no model")).encode());
            }
        });
    }

    private static void json(HttpServerRequest request, HttpServerResponse response) {
        JsonObject body = request.path().endsWith("/embeddings")
                ? new JsonObject("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,0.2]}],"
                        + "\"model\":\"json\",\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}")
                : new JsonObject(CHAT_COMPLETION);
        response.putHeader("Content-Type", "application/json").end(body.encode());
    }

    private static HttpServerResponse sseHead(HttpServerResponse response) {
        return response.setChunked(true).putHeader("Content-Type", "text/event-stream");
    }

    private static void sse(HttpServerResponse response, List<String> events) {
        sseHead(response);
        events.forEach(response::write);
        response.end();
    }

    private void slow(HttpServerResponse response) {
        sseHead(response);
        String all = chunk("a") + ": ping\n\n" + chunk("b") + chunk("c") + usageChunk() + "data: [DONE]\n\n";
        writeSlowly(response, all, 0);
    }

    private void writeSlowly(HttpServerResponse response, String all, int from) {
        if (from >= all.length()) {
            response.end();
            return;
        }
        int to = Math.min(all.length(), from + 17);
        response.write(all.substring(from, to));
        vertx.setTimer(20, t -> writeSlowly(response, all, to));
    }

    private void endless(HttpServerRequest request, HttpServerResponse response) {
        sseHead(response);
        request.connection().closeHandler(v -> {
            closedMidStream.incrementAndGet();
            endlessClosed.countDown();
        });
        long timer = vertx.setPeriodic(50, t -> {
            if (!response.closed() && !response.ended()) {
                response.write(chunk("tick"));
            }
        });
        response.closeHandler(v -> vertx.cancelTimer(timer));
    }

    static String chunk(String content) {
        return "data: " + new JsonObject("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":null}]}")
                .put("choices", new io.vertx.core.json.JsonArray().add(new JsonObject().put("index", 0)
                        .put("delta", new JsonObject().put("content", content)).putNull("finish_reason")))
                .encode() + "\n\n";
    }

    static String usageChunk() {
        return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"m\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}\n\n";
    }

    @Override
    public void close() {
        server.close().await();
    }

    static Buffer buffer(String s) {
        return Buffer.buffer(s);
    }
}
