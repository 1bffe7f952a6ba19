package dev.gatehouse.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@link Main} as the sandbox does: a child JVM with only the runtime's classes and environment. */
class MainProcessTest {
    @TempDir
    Path directory;

    private Process process;

    @AfterEach
    void stop() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    @Test
    void noConfiguration_exits2_namingEveryMissingVariableOnStderr() throws Exception {
        process = launch(Map.of());

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(new String(process.getInputStream().readAllBytes(), UTF_8)).isEmpty();
        assertThat(stderr().lines()).containsExactly(
                "gatehouse-runtime: LLM_GATEWAY_URL or OPENAI_BASE_URL or OPENAI_API_BASE or NEWAPI_BASE_URL: required"
                        + " (expected: the gateway's OpenAI base URL, e.g. http://gatehouse:8080/v1)",
                "gatehouse-runtime: LLM_GATEWAY_TOKEN_FILE or LLM_GATEWAY_TOKEN or OPENAI_API_KEY or NEWAPI_KEY: required"
                        + " (expected: the sandbox's gateway token, or the path of a file holding it)");
    }

    @Test
    void invalidConfiguration_exits2_withoutPrintingTheToken() throws Exception {
        process = launch(Map.of("PORT", "99999", "LLM_GATEWAY_URL", "http://gatehouse:8080", "LLM_GATEWAY_TOKEN", "sk-secret\u0001"));

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        String stderr = stderr();
        assertThat(stderr.lines()).hasSize(3);
        assertThat(stderr).doesNotContain("sk-secret");
    }

    @Test
    void invalidSubscriptionConfiguration_exits2_withoutPrintingTheCredentialOrTheGatewayToken() throws Exception {
        process = launch(Map.of("PORT", "x", "LLM_SUBSCRIPTION_VARIABLE", "ANTHROPIC_API_KEY",
                "ANTHROPIC_API_KEY", "sk-ant-secret value", "LLM_GATEWAY_TOKEN", "sk-gateway-secret"));

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(stderr().lines()).containsExactly(
                "gatehouse-runtime: PORT: \"x\" (expected: 1..65535)",
                "gatehouse-runtime: LLM_GATEWAY_TOKEN: must not be set when LLM_SUBSCRIPTION_VARIABLE is"
                        + " (a sandbox holds either a gateway token or its owner's credential, never both)",
                "gatehouse-runtime: ANTHROPIC_API_KEY: must be printable ASCII without spaces (value not shown)");
    }

    @Test
    void subscriptionVariableNamingPort_exits2_withoutPrintingTheCredentialInIt() throws Exception {
        process = launch(Map.of("LLM_SUBSCRIPTION_VARIABLE", "PORT", "PORT", "sk-ant-secret"));

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        String stderr = stderr();
        assertThat(stderr.lines()).singleElement().asString().startsWith("gatehouse-runtime: LLM_SUBSCRIPTION_VARIABLE: \"PORT\"");
        assertThat(stderr).doesNotContain("sk-ant-secret");
    }

    @Test
    void subscriptionMode_logsOneLineWithoutTheCredential_andServesHealthz() throws Exception {
        int port = freePort();
        process = launch(Map.of("HOST", "127.0.0.1", "PORT", Integer.toString(port),
                "LLM_SUBSCRIPTION_VARIABLE", "ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY", "sk-ant-secret"));
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));

        String line = CompletableFuture.supplyAsync(() -> readLine(stdout)).get(30, TimeUnit.SECONDS);

        assertThat(line).isEqualTo("gatehouse-runtime listening on 127.0.0.1:" + port
                + "; no gateway; subscription credential from $ANTHROPIC_API_KEY");
        try (HttpClient client = HttpClient.newHttpClient()) {
            var response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                    BodyHandlers.ofString());
            assertThat(response.body()).isEqualTo("{\"status\":\"ok\",\"llm\":\"subscription\","
                    + "\"credential_variable\":\"ANTHROPIC_API_KEY\",\"credential_available\":true}");
        }
        process.destroy();
        assertThat(process.waitFor(5, TimeUnit.SECONDS)).as("stopped within 5 s of SIGTERM").isTrue();
        assertThat(stderr()).isEmpty();
    }

    @Test
    void configured_logsOneLine_servesHealthz_andStopsOnSigterm() throws Exception {
        int port = freePort();
        process = launch(Map.of("HOST", "127.0.0.1", "PORT", Integer.toString(port),
                "OPENAI_BASE_URL", "http://127.0.0.1:9/v1", "OPENAI_API_KEY", "sk-secret"));
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));

        String line = CompletableFuture.supplyAsync(() -> readLine(stdout)).get(30, TimeUnit.SECONDS);

        assertThat(line).isEqualTo("gatehouse-runtime listening on 127.0.0.1:" + port
                + "; gateway http://127.0.0.1:9/v1; token from environment");
        try (HttpClient client = HttpClient.newHttpClient()) {
            var response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                    BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"status\":\"ok\",\"llm\":\"gateway\"}");
        }
        process.destroy();
        assertThat(process.waitFor(5, TimeUnit.SECONDS)).as("stopped within 5 s of SIGTERM").isTrue();
        assertThat(process.exitValue()).isEqualTo(128 + 15);
        assertThat(stderr()).isEmpty();
    }

    private Process launch(Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(Main.RECOMMENDED_JVM_OPTIONS);
        command.addAll(List.of("-cp", Path.of("target", "classes").toAbsolutePath().toString(), Main.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(environment);
        // A file, not a pipe: Process.destroy() closes the pipes.
        builder.redirectError(directory.resolve("stderr").toFile());
        return builder.start();
    }

    private String stderr() throws IOException {
        return Files.readString(directory.resolve("stderr"));
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
