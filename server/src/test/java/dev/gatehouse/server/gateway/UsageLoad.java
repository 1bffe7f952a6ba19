package dev.gatehouse.server.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load on a gateway's {@code /v1/chat/completions}: {@code concurrency} virtual threads,
 * each sending the next request when the previous answer was read whole. Every response delivered
 * (200, whole body) is remembered with its {@code X-Request-Id} and when it was read; anything else
 * (another status, a reset, a timeout) is counted as failed. Stop it with {@link #stop()}.
 */
final class UsageLoad implements AutoCloseable {
    /** @param atNanos {@link System#nanoTime()} when the whole response had been read */
    record Delivered(String requestId, long atNanos) {}

    final ConcurrentLinkedQueue<Delivered> delivered = new ConcurrentLinkedQueue<>();
    final AtomicLong failed = new AtomicLong();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean stopping;

    private UsageLoad() {}

    static UsageLoad start(URI gateway, String token, String model, int concurrency) {
        UsageLoad load = new UsageLoad();
        HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
        for (int i = 0; i < concurrency; i++) {
            load.workers.add(Thread.ofVirtual().start(() -> load.run(request)));
        }
        return load;
    }

    private void run(HttpRequest request) {
        while (!stopping) {
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                long at = System.nanoTime();
                if (response.statusCode() == 200 && response.body().endsWith("}")) {
                    delivered.add(new Delivered(response.headers().firstValue("X-Request-Id").orElseThrow(), at));
                } else {
                    failed.incrementAndGet();
                }
            } catch (Exception e) {
                failed.incrementAndGet();
            }
        }
    }

    /** Stops sending and waits for the requests in flight. */
    void stop() throws InterruptedException {
        stopping = true;
        for (Thread worker : workers) {
            worker.join(Duration.ofSeconds(30));
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        client.close();
    }
}
