package dev.gatehouse.server.sandbox.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.server.sandbox.EchoRuntime;
import dev.gatehouse.server.sandbox.SandboxBackendException;
import dev.gatehouse.server.sandbox.SandboxEndpoint;
import dev.gatehouse.server.sandbox.SandboxEvents;
import dev.gatehouse.server.sandbox.SandboxProfile;
import dev.gatehouse.server.sandbox.SandboxSpec;
import dev.gatehouse.server.sandbox.TokenDelivery;
import dev.gatehouse.server.testing.Await;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process backend with real child processes ({@link EchoRuntime} reports its environment): what a
 * runtime is given and nothing more, its files' permissions, token replacement by file and by
 * restart, and the runtimes an earlier run left behind.
 */
class ProcessBackendTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path root;

    final Map<String, String> events = new ConcurrentHashMap<>();
    final SandboxEvents recording = new SandboxEvents() {
        @Override
        public void running(String id, SandboxEndpoint endpoint) {
            events.put(id, "running " + endpoint);
        }

        @Override
        public void failed(String id, String reason) {
            events.put(id, "failed " + reason);
        }
    };
    ProcessBackend backend;

    @AfterEach
    void close() {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void runtime_getsOnlyTheGatewayItsTokenAndItsPlace_inAPrivateDirectory() throws Exception {
        backend = started();
        SandboxSpec spec = spec(TokenDelivery.FILE);

        backend.create(spec);
        SandboxEndpoint endpoint = awaitRunning(spec.id());

        JsonObject env = new JsonObject(get(endpoint, "/env"));
        Path directory = root.resolve(spec.id());
        assertThat(env.getMap()).containsOnlyKeys("PATH", "HOME", "TMPDIR", "HOST", "PORT", "LLM_GATEWAY_URL",
                "OPENAI_BASE_URL", "OPENAI_API_BASE", "NEWAPI_BASE_URL", "LLM_GATEWAY_TOKEN", "OPENAI_API_KEY",
                "NEWAPI_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY", "LLM_GATEWAY_TOKEN_FILE", "LLM_DEFAULT_MODEL");
        assertThat(env.getString("LLM_GATEWAY_TOKEN")).isEqualTo(spec.token());
        assertThat(env.getString("ANTHROPIC_API_KEY")).isEqualTo(spec.token());
        assertThat(env.getString("ANTHROPIC_BASE_URL")).as("Anthropic's SDKs append /v1/messages").isEqualTo("http://gateway.test");
        assertThat(env.getString("LLM_GATEWAY_URL")).isEqualTo("http://gateway.test/v1");
        assertThat(env.getString("LLM_DEFAULT_MODEL")).isEqualTo("qwen3");
        assertThat(env.getString("HOME")).isEqualTo(directory.toString());
        assertThat(env.getString("HOST")).isEqualTo("127.0.0.1");
        assertThat(env.getString("PORT")).isEqualTo(Integer.toString(endpoint.port()));
        assertThat(Path.of(env.getString("LLM_GATEWAY_TOKEN_FILE"))).hasContent(spec.token());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve("api-key"))))
                .isEqualTo("rw-------");
        assertThat(backend.list()).containsExactly(spec.id());

        backend.delete(spec.id());

        assertThat(backend.list()).isEmpty();
        assertThat(directory).doesNotExist();
        assertThat(events).containsOnlyKeys(spec.id());
        assertThat(events.get(spec.id())).startsWith("running");
    }

    @Test
    void replaceToken_byFile_keepsTheProcess_byEnvironment_restartsItOnTheSamePort_withoutAFailure() throws Exception {
        backend = started();
        SandboxSpec byFile = spec(TokenDelivery.FILE);
        SandboxSpec byEnvironment = spec(TokenDelivery.ENVIRONMENT);
        backend.create(byFile);
        backend.create(byEnvironment);
        SandboxEndpoint fileEndpoint = awaitRunning(byFile.id());
        SandboxEndpoint envEndpoint = awaitRunning(byEnvironment.id());
        String filePid = Files.readString(root.resolve(byFile.id()).resolve("pid"));
        String envPid = Files.readString(root.resolve(byEnvironment.id()).resolve("pid"));

        backend.replaceToken(byFile.withToken("eyJ.rotated-by-file"));
        backend.replaceToken(byEnvironment.withToken("eyJ.rotated-by-environment"));

        assertThat(root.resolve(byFile.id()).resolve("api-key")).hasContent("eyJ.rotated-by-file");
        assertThat(Files.readString(root.resolve(byFile.id()).resolve("pid"))).isEqualTo(filePid);
        assertThat(new JsonObject(get(fileEndpoint, "/env")).getString("LLM_GATEWAY_TOKEN")).isEqualTo(byFile.token());
        assertThat(Files.readString(root.resolve(byEnvironment.id()).resolve("pid"))).isNotEqualTo(envPid);
        Await.until("the restarted runtime answers", WAIT, () -> {
            try {
                return new JsonObject(get(envEndpoint, "/env")).getString("LLM_GATEWAY_TOKEN")
                        .equals("eyJ.rotated-by-environment");
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(events.values()).noneMatch(event -> event.startsWith("failed"));
        assertThatThrownBy(() -> backend.replaceToken(spec(TokenDelivery.FILE)))
                .isInstanceOf(SandboxBackendException.class).hasMessage("The sandbox is gone.");
    }

    @Test
    void runtimesLeftByAnEarlierRun_areStoppedAtStart_andOnlyThose() throws Exception {
        Process leftOver = new ProcessBuilder("sleep", "120").start();
        Path leftOverDirectory = Files.createDirectories(root.resolve(UUID.randomUUID().toString()));
        Files.writeString(leftOverDirectory.resolve("pid"), leftOver.pid() + " "
                + leftOver.info().startInstant().orElseThrow().toEpochMilli() + "\n");
        Process unrelated = new ProcessBuilder("sleep", "120").start();
        Path unrelatedDirectory = Files.createDirectories(root.resolve(UUID.randomUUID().toString()));
        Files.writeString(unrelatedDirectory.resolve("pid"), unrelated.pid() + " 12345\n");

        backend = started();

        assertThat(leftOver.waitFor(10, TimeUnit.SECONDS)).as("the earlier run's runtime is stopped").isTrue();
        assertThat(leftOverDirectory).doesNotExist();
        assertThat(unrelated.isAlive()).as("a pid whose start time does not match is not ours").isTrue();
        unrelated.destroyForcibly();
    }

    @Test
    void aSecondBackendOnTheSameDirectory_refusesToStart_andTouchesNothing() throws Exception {
        backend = started();
        SandboxSpec spec = spec(TokenDelivery.FILE);
        backend.create(spec);
        awaitRunning(spec.id());

        ProcessBackend second = new ProcessBackend(root, new RuntimeCommands(EchoRuntime.command()), WAIT);
        assertThatThrownBy(() -> second.start(recording)).isInstanceOf(SandboxBackendException.class)
                .hasMessage("Another Gatehouse runs sandboxes from " + root
                        + " (the process backend serves one Gatehouse per data directory).");
        assertThat(backend.list()).containsExactly(spec.id());
        assertThat(root.resolve(spec.id())).exists();
    }

    @Test
    void operatorView_listsAndDeletesTheServersRuntimes_fromTheirRecords() throws Exception {
        backend = started();
        SandboxSpec spec = spec(TokenDelivery.FILE);
        backend.create(spec);
        awaitRunning(spec.id());
        ProcessBackend operator = new ProcessBackend(root, new RuntimeCommands(List.of("true")), WAIT);

        assertThat(operator.list()).containsExactly(spec.id());
        operator.delete(spec.id());

        Await.until("the runtime is gone", WAIT, () -> backend.list().isEmpty());
        assertThat(root.resolve(spec.id())).doesNotExist();
    }

    @Test
    void commandThatCannotStart_failsTheCreate_andLeavesNothing() {
        backend = new ProcessBackend(root, new RuntimeCommands(List.of("/nonexistent/runtime")), WAIT);
        backend.start(recording);
        SandboxSpec spec = spec(TokenDelivery.FILE);

        assertThatThrownBy(() -> backend.create(spec)).isInstanceOf(SandboxBackendException.class)
                .hasMessageStartingWith("The runtime could not be started: ");
        assertThat(root.resolve(spec.id())).doesNotExist();
        assertThat(backend.list()).isEmpty();
    }

    private ProcessBackend started() {
        ProcessBackend started = new ProcessBackend(root, new RuntimeCommands(EchoRuntime.command()), WAIT);
        started.start(recording);
        return started;
    }

    private SandboxEndpoint awaitRunning(String id) {
        Await.until(id + " running", WAIT, () -> events.getOrDefault(id, "").startsWith("running"));
        return SandboxEndpoint.parse(events.get(id).substring("running ".length()));
    }

    private static SandboxSpec spec(TokenDelivery delivery) {
        SandboxProfile profile = new SandboxProfile("p", List.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                SandboxProfile.Resources.DEFAULTS, Optional.empty(), List.of(), 8080, delivery);
        return new SandboxSpec(UUID.randomUUID().toString(), "acme", "alice@acme.test", profile,
                URI.create("http://gateway.test/v1"), "eyJ." + UUID.randomUUID(), Optional.of("qwen3"));
    }

    private static String get(SandboxEndpoint endpoint, String path) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://" + endpoint + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }
}
