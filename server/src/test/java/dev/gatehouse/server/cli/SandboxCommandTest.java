package dev.gatehouse.server.cli;

import static dev.gatehouse.server.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.identity.LocalSession;
import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse sandbox list|delete|gc} beside a running server on the same store and data
 * directory: what an operator sees, a deletion that revokes and removes at once, and orphans found
 * and removed.
 */
class SandboxCommandTest {
    @TempDir
    Path dir;

    @Test
    void operator_listsDeletesAndCollectsOrphans_besideTheRunningServer() throws Exception {
        Path data = dir.resolve("data");
        Path configFile = dir.resolve("gatehouse.yaml");
        Files.writeString(configFile, """
                dataDir: %s
                tokens:
                  issuer: %s
                gateway:
                  channels:
                    - {name: a, provider: p, baseUrl: "http://127.0.0.1:9/v1", models: [m]}
                """.formatted(data, TestGatehouse.ISSUER));
        GatehouseConfig config = TestGatehouse.config(data, Map.of("GATEHOUSE_GATEWAY_CHANNELS",
                "[{\"name\":\"a\",\"provider\":\"p\",\"baseUrl\":\"http://127.0.0.1:9/v1\",\"models\":[\"m\"]}]"));
        try (Gatehouse server = Gatehouse.start(config)) {
            String session = SigningTokenMinter.of(server.keyRing(), config.tokens(), Clock.systemUTC()).mint(
                    LocalSession.request("alice", "acme", List.of(), List.of(), Duration.ofHours(1),
                            config.tokens().issuer())).token();
            HttpResponse<String> created = TestGatehouse.send(HttpRequest.newBuilder(
                            server.localUrl().resolve("/api/v1/sandbox/sessions"))
                    .header("Authorization", "Bearer " + session).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"cli\"}")).build());
            String id = new JsonObject(created.body()).getString("id");
            Await.until("running", Duration.ofSeconds(30), () -> status(server, id).equals("running"));
            long pid = Long.parseLong(Files.readString(data.resolve("sandboxes").resolve(id).resolve("pid"))
                    .split(" ")[0]);

            CliRun list = run("sandbox", "list", "-c", configFile.toString());
            assertThat(list.exitCode()).as(list.err()).isZero();
            assertThat(list.out().lines().toList()).first().asString().startsWith("ID").contains("STATUS", "OWNER");
            assertThat(list.out()).contains(id).contains("running").contains("acme").contains("alice");

            CliRun delete = run("sandbox", "delete", id, "-c", configFile.toString());
            assertThat(delete.exitCode()).as(delete.err()).isZero();
            assertThat(delete.out()).contains("Deleted sandbox " + id);
            assertThat(status(server, id)).isEqualTo("stopped");
            Await.until("the runtime stopped", Duration.ofSeconds(10),
                    () -> ProcessHandle.of(pid).map(handle -> !handle.isAlive()).orElse(true));
            assertThat(TestGatehouse.get(server.localUrl().resolve("/api/v1/sandbox/sessions/" + id),
                    "Authorization", "Bearer " + session).statusCode()).isEqualTo(404);
            CliRun again = run("sandbox", "delete", id, "-c", configFile.toString());
            assertThat(again.exitCode()).isEqualTo(1);
            assertThat(again.err()).contains("no sandbox " + id);
            assertThat(run("sandbox", "list", "-c", configFile.toString()).out()).doesNotContain(id);
            assertThat(run("sandbox", "list", "--all", "-c", configFile.toString()).out()).contains(id)
                    .contains("* deleted");

            Process orphan = new ProcessBuilder("sleep", "120").start();
            Path orphanDirectory = Files.createDirectories(data.resolve("sandboxes").resolve(UUID.randomUUID().toString()));
            Files.writeString(orphanDirectory.resolve("pid"), orphan.pid() + " "
                    + orphan.info().startInstant().orElseThrow().toEpochMilli() + "\n");

            CliRun gc = run("sandbox", "gc", "-c", configFile.toString());

            assertThat(gc.exitCode()).as(gc.err()).isZero();
            assertThat(gc.out()).contains("orphans removed: 1");
            assertThat(orphan.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(orphanDirectory).doesNotExist();
        }
    }

    private static String status(Gatehouse server, String id) {
        return server.database().jdbi().withHandle(handle -> handle.createQuery(
                "SELECT status FROM sandboxes WHERE id = :id").bind("id", id).mapTo(String.class).one());
    }


}
