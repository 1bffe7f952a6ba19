package dev.gatehouse.bench.load;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Time from {@code POST /api/v1/sandbox/sessions} to the sandbox reported {@code running}, as a user
 * sees it: one sandbox at a time, the status polled every {@code --poll-ms} (default 2), then deleted
 * (or, with {@code --keep}, left running: the sandboxes of a memory measurement). Prints the
 * distribution and one {@code RESULT} line (milliseconds).
 *
 * <pre>{@code
 * java -cp bench/target/benchmarks.jar dev.gatehouse.bench.load.SandboxStartLoad \
 *     --url http://127.0.0.1:8080 --session "$SESSION" --count 30
 * }</pre>
 */
public final class SandboxStartLoad {
    private SandboxStartLoad() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Args.parse(argv);
        URI base = URI.create(args.get("url"));
        String session = args.get("session");
        int count = Args.intArg(args, "count", 30);
        int pollMillis = Args.intArg(args, "poll-ms", 2);
        boolean keep = args.containsKey("keep");
        Histogram startMillis = new Histogram(TimeUnit.MINUTES.toMillis(10), 3);
        List<String> kept = new ArrayList<>();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (int i = 0; i < count; i++) {
                long started = System.nanoTime();
                HttpResponse<String> created = client.send(HttpRequest.newBuilder(base.resolve("/api/v1/sandbox/sessions"))
                        .header("Authorization", "Bearer " + session).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench-" + i + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (created.statusCode() != 201) {
                    throw new IllegalStateException("POST: " + created.statusCode() + " " + created.body());
                }
                String id = new JsonObject(created.body()).getString("id");
                URI sandbox = base.resolve("/api/v1/sandbox/sessions/" + id);
                String status = new JsonObject(created.body()).getString("status");
                while (!status.equals("running")) {
                    if (status.equals("failed") || status.equals("stopped")) {
                        throw new IllegalStateException("sandbox " + id + " " + status);
                    }
                    Thread.sleep(pollMillis);
                    status = new JsonObject(client.send(HttpRequest.newBuilder(sandbox)
                            .header("Authorization", "Bearer " + session).build(), HttpResponse.BodyHandlers.ofString())
                            .body()).getString("status");
                }
                startMillis.recordValue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                if (keep) {
                    kept.add(id);
                } else {
                    client.send(HttpRequest.newBuilder(sandbox).header("Authorization", "Bearer " + session).DELETE()
                            .build(), HttpResponse.BodyHandlers.discarding());
                }
            }
        }
        System.out.printf("sandboxes: %d  POST→running ms: p50 %d  p90 %d  p99 %d  max %d  mean %.0f%n", count,
                startMillis.getValueAtPercentile(50), startMillis.getValueAtPercentile(90),
                startMillis.getValueAtPercentile(99), startMillis.getMaxValue(), startMillis.getMean());
        System.out.printf("RESULT count=%d p50_ms=%d p90_ms=%d p99_ms=%d max_ms=%d kept=%s%n", count,
                startMillis.getValueAtPercentile(50), startMillis.getValueAtPercentile(90),
                startMillis.getValueAtPercentile(99), startMillis.getMaxValue(), String.join(",", kept));
    }
}
