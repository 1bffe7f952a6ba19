package dev.gatehouse.bench.load;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * A fake OpenAI upstream for load tests: {@code POST /v1/chat/completions} (and {@code /v1/completions})
 * answered after a fixed latency measured with a Vert.x timer, never a sleep.
 *
 * <ul>
 *   <li>{@code "stream"} absent or false: one chat completion with {@code usage}, after
 *       {@code --latency-ms} (default 20).</li>
 *   <li>{@code "stream": true}: SSE; after {@code --latency-ms} the headers and the first chunk, then
 *       {@code --chunks - 1} more chunks every {@code --interval-ms}, a usage chunk when the request
 *       asked for it ({@code stream_options.include_usage}, as the gateway does) and {@code data: [DONE]}.</li>
 *   <li>a model starting with {@code bench-slow} with {@code "stream": true}: a slow stream that stays open, one chunk
 *       every {@code --slow-interval-ms} (default 1000) for {@code --slow-chunks} chunks (default 60):
 *       for holding many concurrent streams open.</li>
 * </ul>
 *
 * <p>Runs {@code --instances} server verticles (default 1) sharing the port; writes the bound port to
 * {@code --port-file} when given. Stops on SIGTERM. Usage:
 * {@code java -cp bench/target/benchmarks.jar dev.gatehouse.bench.load.FakeOpenAiUpstream --port 0 --port-file /tmp/p}
 */
public final class FakeOpenAiUpstream extends AbstractVerticle {
    private static final String COMPLETION = "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1700000000,"
            + "\"model\":\"bench\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
            + "\"Hello! This is a fixed answer from the benchmark upstream.\"},\"finish_reason\":\"stop\",\"logprobs\":null}],"
            + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":11,\"total_tokens\":23}}";
    private static final Buffer COMPLETION_BUFFER = Buffer.buffer(COMPLETION);
    private static final Buffer CHUNK = Buffer.buffer("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1700000000,\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token \"},"
            + "\"finish_reason\":null}]}\n\n");
    private static final Buffer USAGE = Buffer.buffer("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1700000000,\"model\":\"bench\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":10,\"total_tokens\":22}}\n\n");
    private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

    private final int port;
    private final long latencyMs;
    private final int chunks;
    private final long intervalMs;
    private final int slowChunks;
    private final long slowIntervalMs;

    FakeOpenAiUpstream(int port, long latencyMs, int chunks, long intervalMs, int slowChunks, long slowIntervalMs) {
        this.port = port;
        this.latencyMs = latencyMs;
        this.chunks = chunks;
        this.intervalMs = intervalMs;
        this.slowChunks = slowChunks;
        this.slowIntervalMs = slowIntervalMs;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Args.parse(argv);
        long latency = Args.intArg(args, "latency-ms", 20);
        int chunks = Args.intArg(args, "chunks", 10);
        long interval = Args.intArg(args, "interval-ms", 10);
        int slowChunks = Args.intArg(args, "slow-chunks", 60);
        long slowInterval = Args.intArg(args, "slow-interval-ms", 1000);
        int instances = Args.intArg(args, "instances", 1);
        int eventLoops = Args.intArg(args, "event-loops", instances);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
        int listen = SharedPort.resolve(args);
        vertx.deployVerticle(() -> new FakeOpenAiUpstream(listen, latency, chunks, interval, slowChunks, slowInterval),
                new DeploymentOptions().setInstances(instances)).await();
        int actual = actualPort;
        System.out.printf("fake upstream on 127.0.0.1:%d latency=%dms sse=%d chunks every %dms slow=%d every %dms%n",
                actual, latency, chunks, interval, slowChunks, slowInterval);
        SharedPort.report(args, actual);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
        Thread.currentThread().join();
    }

    private static volatile int actualPort;

    @Override
    public void start(Promise<Void> started) {
        vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true).setIdleTimeout(0))
                .requestHandler(this::handle)
                .listen()
                .onSuccess(server -> actualPort = server.actualPort())
                .<Void>mapEmpty()
                .onComplete(started);
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            HttpServerResponse response = request.response();
            if (!request.path().endsWith("/completions")) {
                response.setStatusCode(404).end();
                return;
            }
            // The bodies here are tiny; parsing them is part of what a real upstream does too.
            JsonObject json = body.length() == 0 ? new JsonObject() : body.toJsonObject();
            if (!json.getBoolean("stream", false)) {
                vertx.setTimer(latencyMs, t -> response.putHeader("Content-Type", "application/json").end(COMPLETION_BUFFER));
                return;
            }
            JsonObject options = json.getJsonObject("stream_options");
            boolean usage = options != null && options.getBoolean("include_usage", false);
            boolean slow = json.getString("model", "").startsWith("bench-slow");
            int count = slow ? slowChunks : chunks;
            long every = slow ? slowIntervalMs : intervalMs;
            vertx.setTimer(latencyMs, t -> {
                if (response.closed()) {
                    return;
                }
                response.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
                response.write(CHUNK);
                stream(response, count - 1, every, usage);
            });
        });
    }

    private void stream(HttpServerResponse response, int left, long every, boolean usage) {
        if (response.closed()) {
            return;
        }
        if (left <= 0) {
            if (usage) {
                response.write(USAGE);
            }
            response.end(DONE);
            return;
        }
        vertx.setTimer(every, t -> {
            if (response.closed()) {
                return;
            }
            response.write(CHUNK);
            stream(response, left - 1, every, usage);
        });
    }
}
