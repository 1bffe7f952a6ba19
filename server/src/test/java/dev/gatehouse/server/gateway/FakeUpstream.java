package dev.gatehouse.server.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OpenAI-compatible upstream on a free port, behaving by the request's {@code model}:
 * {@code json} a chat completion with usage (Content-Length); {@code json-fragmented} the same
 * chunked, 17 bytes every 20 ms; {@code sse} a stream with a keep-alive comment and, when the request
 * asked for {@code stream_options.include_usage}, a usage chunk; {@code bodiless-400} a 400 without a body; {@code sse-slow} fragmented chunks with pauses; {@code sse-2mb} one 2 MB data line;
 * {@code sse-reset} two chunks then a closed connection; {@code sse-endless} a chunk every 50 ms
 * until the gateway goes away (noticed in {@link #closedMidStream}); {@code hang} headers never sent;
 * {@code sse-stall} one chunk then silence; {@code sse-3s} a chunk every 200 ms for 3 s; {@code sse-1000} 1,000
 * one-token events and their usage whatever max_tokens says; {@code held} a chat completion once {@link #openGate()}
 * was called; {@code poison} a 500, as an upstream choking on a caller's body. Any other {@code GET} (a probe,
 * e.g. {@code /v1/models}) gets a model list. An instance
 * created with a status, or told to {@link #failWith} one, answers every request with it until it
 * {@link #recover}s. Records every request.
 */
public final class FakeUpstream implements AutoCloseable {
    /** @param headers every request header (for the Anthropic ones: {@code x-api-key}, {@code anthropic-version}) */
    public record Seen(String path, String authorization, JsonObject body, long receivedNanos,
            io.vertx.core.MultiMap headers) {}

    static final String CHAT_COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,"
            + "\"model\":\"json\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello!\"},"
            + "\"finish_reason\":\"stop\",\"logprobs\":null}],"
            + "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2,\"total_tokens\":9}}";

    static final String TOOL_COMPLETION = "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion\",\"created\":1700000000,"
            + "\"model\":\"tool\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
            + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"finish_reason\":\"tool_calls\",\"logprobs\":null}],"
            + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":6,\"total_tokens\":17}}";

    public final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    final AtomicInteger closedMidStream = new AtomicInteger();
    final CountDownLatch endlessClosed = new CountDownLatch(1);
    private final Vertx vertx;
    private final ConcurrentLinkedQueue<HttpServerRequest> held = new ConcurrentLinkedQueue<>();
    private volatile int failingStatus;
    private volatile boolean gateOpen;
    private HttpServer server;

    private FakeUpstream(Vertx vertx, int failingStatus) {
        this.vertx = vertx;
        this.failingStatus = failingStatus;
    }

    public static FakeUpstream start(Vertx vertx) {
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

    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /** The base URL of a loopback port nothing listens on (connections are refused). */
    static String unreachableBaseUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
        }
    }

    public int requests() {
        return seen.size();
    }

    /** The requests to {@code path}, e.g. {@code /v1/models}, in arrival order. */
    public List<Seen> seenAt(String path) {
        return seen.stream().filter(request -> request.path().equals(path)).toList();
    }

    /** Every request from now on is answered with {@code status}. */
    void failWith(int status) {
        failingStatus = status;
    }

    void recover() {
        failingStatus = 0;
    }

    /** Answers the {@code held} requests waiting so far, and every later one at once. */
    void openGate() {
        gateOpen = true;
        for (HttpServerRequest request; (request = held.poll()) != null; ) {
            json(request, request.response());
        }
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            JsonObject json = body.length() == 0 ? new JsonObject() : new JsonObject(body);
            seen.add(new Seen(request.path(), request.getHeader("Authorization"), json, System.nanoTime(),
                    io.vertx.core.MultiMap.caseInsensitiveMultiMap().addAll(request.headers())));
            HttpServerResponse response = request.response();
            int failing = failingStatus;
            if (failing != 0) {
                response.setStatusCode(failing).putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("error", new JsonObject().put("message", "fake " + failing)).encode());
                return;
            }
            if (request.method() == HttpMethod.GET) {
                response.putHeader("Content-Type", "application/json")
                        .end("{\"object\":\"list\",\"data\":[{\"id\":\"json\",\"object\":\"model\",\"created\":0,\"owned_by\":\"fake\"}]}");
                return;
            }
            String model = json.getString("model", "");
            if (request.path().endsWith("/responses")) {
                responses(response, json);
                return;
            }
            if (request.path().endsWith("/messages") || request.path().endsWith("/messages/count_tokens")) {
                FakeAnthropic.answer(vertx, request, model);
                return;
            }
            switch (model) {
                case "json" -> json(request, response);
                case "json-fragmented" -> {
                    response.setChunked(true).putHeader("Content-Type", "application/json");
                    writeSlowly(response, CHAT_COMPLETION, 0);
                }
                case "sse" -> sse(response, json.getJsonObject("stream_options", new JsonObject()).getBoolean("include_usage", false)
                        ? List.of(": keep-alive\n\n", chunk("Hel"), chunk("lo"), usageChunk(), "data: [DONE]\n\n")
                        : List.of(": keep-alive\n\n", chunk("Hel"), chunk("lo"), "data: [DONE]\n\n"));
                case "bodiless-400" -> response.setStatusCode(400).end();
                case "tool" -> response.putHeader("Content-Type", "application/json").end(TOOL_COMPLETION);
                case "sse-tool" -> sse(response, List.of(toolChunk("{\"id\":\"call_1\",\"type\":\"function\",\"function\":"
                                + "{\"name\":\"get_weather\",\"arguments\":\"\"}}"), toolChunk("{\"function\":{\"arguments\":\"{\\\"city\\\":\"}}"),
                        toolChunk("{\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}"),
                        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"m\","
                                + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n",
                        usageChunk(), "data: [DONE]\n\n"));
                case "sse-slow" -> slow(response);
                case "sse-3s" -> tick(sseHead(response), 15);
                case "sse-2mb" -> sse(response, List.of(chunk("x".repeat(2 * 1024 * 1024)), usageChunk(), "data: [DONE]\n\n"));
                case "sse-reset" -> {
                    sseHead(response).write(chunk("partial"));
                    response.write(chunk(" more")).onComplete(v -> vertx.setTimer(50, t -> request.connection().close()));
                }
                case "sse-endless" -> endless(request, response);
                case "sse-1000" -> sse(response, thousandTokens());
                case "sse-stall" -> sseHead(response).write(chunk("first"));
                case "hang" -> { /* never answer */ }
                case "held" -> hold(request);
                case "poison" -> response.setStatusCode(500).putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("error", new JsonObject().put("message", "cannot process")).encode());
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

    private void hold(HttpServerRequest request) {
        held.add(request);
        if (gateOpen && held.remove(request)) {
            json(request, request.response());
        }
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

    /** {@code left} chunks 200 ms apart, then the usage chunk and the end. */
    private void tick(HttpServerResponse response, int left) {
        if (left == 0) {
            response.end(usageChunk() + "data: [DONE]\n\n");
            return;
        }
        response.write(chunk("t"));
        vertx.setTimer(200, t -> tick(response, left - 1));
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

    /** 1,000 one-token content events and their usage, whatever the request's max_tokens. */
    private static List<String> thousandTokens() {
        List<String> events = new java.util.ArrayList<>(1_002);
        for (int i = 0; i < 1_000; i++) {
            events.add(chunk("x"));
        }
        events.add("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1000,"
                + "\"total_tokens\":1005}}\n\n");
        events.add("data: [DONE]\n\n");
        return events;
    }

    static String chunk(String content) {
        return "data: " + new JsonObject("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":null}]}")
                .put("choices", new io.vertx.core.json.JsonArray().add(new JsonObject().put("index", 0)
                        .put("delta", new JsonObject().put("content", content)).putNull("finish_reason")))
                .encode() + "\n\n";
    }

    /**
     * The Responses API natively: a response object, or its stream (created, one text delta,
     * completed with usage 9 input and 4 output tokens).
     */
    private static void responses(HttpServerResponse response, JsonObject request) {
        JsonObject done = new JsonObject().put("id", "resp_1").put("object", "response").put("created_at", 1700000000)
                .put("status", "completed").put("model", request.getString("model")).put("output", new io.vertx.core.json.JsonArray()
                        .add(new JsonObject().put("type", "message").put("id", "msg_1").put("status", "completed")
                                .put("role", "assistant").put("content", new io.vertx.core.json.JsonArray().add(new JsonObject()
                                        .put("type", "output_text").put("text", "Native!").put("annotations",
                                                new io.vertx.core.json.JsonArray())))))
                .put("usage", new JsonObject().put("input_tokens", 9).put("output_tokens", 4).put("total_tokens", 13));
        if (!request.getBoolean("stream", false)) {
            response.putHeader("Content-Type", "application/json").end(done.encode());
            return;
        }
        sse(response, List.of(
                "event: response.created\ndata: " + new JsonObject().put("type", "response.created").put("sequence_number", 0)
                        .put("response", done.copy().put("status", "in_progress").putNull("usage")).encode() + "\n\n",
                "event: response.output_text.delta\ndata: " + new JsonObject().put("type", "response.output_text.delta")
                        .put("sequence_number", 1).put("item_id", "msg_1").put("output_index", 0).put("content_index", 0)
                        .put("delta", "Native!").encode() + "\n\n",
                "event: response.completed\ndata: " + new JsonObject().put("type", "response.completed")
                        .put("sequence_number", 2).put("response", done).encode() + "\n\n"));
    }

    /** A chunk carrying one tool-call delta (index 0). */
    static String toolChunk(String call) {
        return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[" + new JsonObject(call).put("index", 0).encode()
                + "]},\"finish_reason\":null}]}\n\n";
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
