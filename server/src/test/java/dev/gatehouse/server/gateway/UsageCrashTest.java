package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.cli.GatehouseCli;
import dev.gatehouse.server.gateway.metering.UsageConfig;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.StoreConfig;
import dev.gatehouse.server.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gatehouse in a child JVM on SQLite, killed with SIGKILL under load: with {@code
 * gateway.usage.durability: strict} every response a client received whole has its usage row after
 * the crash; batched (the default), the only rows missing are of responses delivered within twice
 * {@code gateway.usage.flushInterval} plus one commit before the kill, as docs/gateway-metering.md
 * states.
 */
class UsageCrashTest {
    private static final String ADMIN_SECRET = "crash-test-admin-secret-0123456789abcdef";
    /** What one commit of a batch may add to the flush interval on this 2-core machine, generously. */
    private static final Duration COMMIT_ALLOWANCE = Duration.ofMillis(250);

    @TempDir
    Path dir;

    static Vertx vertx;
    static FakeUpstream upstream;

    @BeforeAll
    static void startUpstream() {
        vertx = Vertx.vertx();
        upstream = FakeUpstream.start(vertx);
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
        vertx.close().await();
    }

    @Test
    void strict_killedUnderLoad_everyDeliveredResponseHasItsRow() throws Exception {
        Crash crash = runAndKill("strict");

        assertThat(crash.missing()).as("delivered responses without a usage row").isEmpty();
        System.out.printf("kill -9, strict: %d delivered, %d rows, 0 missing%n", crash.delivered(), crash.rows());
    }

    @Test
    void batched_killedUnderLoad_losesOnlyResponsesDeliveredWithinTwiceTheFlushIntervalAndACommit() throws Exception {
        Crash crash = runAndKill("batched");

        long window = UsageConfig.DEFAULT_FLUSH_INTERVAL.multipliedBy(2).plus(COMMIT_ALLOWANCE).toNanos();
        assertThat(crash.missingAgesNanos()).as("how long before the kill each unrecorded response was delivered")
                .allSatisfy(age -> assertThat(age).isLessThan(window));
        System.out.printf("kill -9, batched: %d delivered, %d rows, %d missing, the oldest %.0f ms before the kill%n",
                crash.delivered(), crash.rows(), crash.missing().size(),
                crash.missingAgesNanos().stream().mapToLong(Long::longValue).max().orElse(0) / 1e6);
    }

    private Crash runAndKill(String durability) throws Exception {
        Path data = dir.resolve(durability);
        int port = freePort();
        String channels = new JsonArray().add(new JsonObject().put("name", "up").put("provider", "fake")
                .put("baseUrl", upstream.baseUrl()).put("models", new JsonArray(List.of("json")))).encode();
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), GatehouseCli.class.getName(), "serve")
                .redirectErrorStream(true).redirectOutput(dir.resolve(durability + ".log").toFile());
        builder.environment().putAll(Map.of(
                "GATEHOUSE_DATA_DIR", data.toString(),
                "GATEHOUSE_SERVER_PORT", String.valueOf(port),
                "GATEHOUSE_SERVER_MANAGEMENT_PORT", "0",
                "GATEHOUSE_ROLES", "auth,gateway",
                "NEWAPI_ADMIN_SECRET", ADMIN_SECRET,
                "GATEHOUSE_GATEWAY_CHANNELS", channels,
                "GATEHOUSE_GATEWAY_USAGE_DURABILITY", durability));
        Process gatehouse = builder.start();
        URI base = URI.create("http://127.0.0.1:" + port);
        try {
            Await.until("the child Gatehouse is ready", Duration.ofSeconds(40), () -> ready(base, gatehouse));
            String token = sandboxToken(base);
            UsageLoad load = UsageLoad.start(base, token, "json", 16);
            Thread.sleep(3_000);
            gatehouse.destroyForcibly(); // SIGKILL
            long killed = System.nanoTime();
            assertThat(gatehouse.waitFor(10, TimeUnit.SECONDS)).isTrue();
            load.close();
            assertThat(load.delivered.size()).isGreaterThan(500);

            Set<String> recorded = new HashSet<>();
            try (Database database = Database.open(new StoreConfig("jdbc:sqlite:" + data.resolve("gatehouse.db"),
                    Optional.empty(), Optional.empty(), Optional.empty(), 1))) {
                recorded.addAll(database.jdbi().withHandle(handle -> handle
                        .createQuery("SELECT request_id FROM usage_records").mapTo(String.class).list()));
            }
            List<UsageLoad.Delivered> missing = load.delivered.stream()
                    .filter(response -> !recorded.contains(response.requestId())).toList();
            return new Crash(load.delivered.size(), recorded.size(), missing,
                    missing.stream().map(response -> killed - response.atNanos()).toList());
        } finally {
            gatehouse.destroyForcibly();
        }
    }

    private record Crash(int delivered, int rows, List<UsageLoad.Delivered> missing, List<Long> missingAgesNanos) {}

    private static boolean ready(URI base, Process gatehouse) {
        if (!gatehouse.isAlive()) {
            throw new AssertionError("the child Gatehouse exited with " + gatehouse.exitValue());
        }
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(base.resolve("/readyz")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String sandboxToken(URI base) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve("/admin/tokens/sandbox"))
                    .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + ADMIN_SECRET).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"org_id\":\"acme\",\"user_id\":\"bob\","
                            + "\"sandbox_id\":\"sb-crash\",\"allowed_channels\":[\"up\"]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return new JsonObject(response.body()).getString("token");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
