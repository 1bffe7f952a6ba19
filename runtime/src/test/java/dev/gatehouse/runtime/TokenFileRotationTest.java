package dev.gatehouse.runtime;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenFileRotationTest {
    private static final String CHAT = "{\"model\":\"qwen3\",\"messages\":[]}";

    @TempDir
    Path directory;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private FakeGateway gateway;
    private SandboxRuntime runtime;

    @BeforeEach
    void startGateway() throws IOException {
        gateway = FakeGateway.start();
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
        gateway.close();
        client.close();
    }

    @Test
    void tokenFileReplacedByAtomicRename_nextRequestUsesTheNewToken() throws Exception {
        Path token = directory.resolve("token");
        Files.writeString(token, "sk-first-0001\n");
        startRuntime(token);
        assertThat(tokenSeenByGateway()).isEqualTo("sk-first-0001");

        Path next = directory.resolve("token.tmp");
        Files.writeString(next, "sk-other-0002\n");
        Files.move(next, token, ATOMIC_MOVE, REPLACE_EXISTING);

        assertThat(tokenSeenByGateway()).isEqualTo("sk-other-0002");
    }

    @Test
    void kubernetesSecretVolumeSwapsItsDataSymlink_nextRequestUsesTheNewToken() throws Exception {
        Path first = Files.createDirectory(directory.resolve("..2026_01_01_00_00_00.1"));
        Files.writeString(first.resolve("token"), "sk-first-0001");
        Files.createSymbolicLink(directory.resolve("..data"), first.getFileName());
        Path token = Files.createSymbolicLink(directory.resolve("token"), Path.of("..data", "token"));
        startRuntime(token);
        assertThat(tokenSeenByGateway()).isEqualTo("sk-first-0001");

        // What the kubelet does: write a new timestamped directory, then rename a new ..data link over the old one.
        Path second = Files.createDirectory(directory.resolve("..2026_01_01_01_00_00.2"));
        Files.writeString(second.resolve("token"), "sk-other-0002");
        Files.createSymbolicLink(directory.resolve("..data_tmp"), second.getFileName());
        Files.move(directory.resolve("..data_tmp"), directory.resolve("..data"), ATOMIC_MOVE);

        assertThat(tokenSeenByGateway()).isEqualTo("sk-other-0002");
    }

    @Test
    void tokenFileMissing_answers503TokenUnavailable_thenServesOnceItAppears() throws Exception {
        Path token = directory.resolve("token");
        startRuntime(token);

        HttpResponse<String> response = chat();

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("\"type\":\"api_error\"", "\"code\":\"token_unavailable\"");
        assertThat(gateway.requests()).isEmpty();

        Files.writeString(token, "sk-late-0001");
        assertThat(tokenSeenByGateway()).isEqualTo("sk-late-0001");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " \n", "sk with spaces"})
    void tokenFileEmptyOrMalformed_answers503TokenUnavailable(String content) throws Exception {
        Path token = directory.resolve("token");
        Files.writeString(token, content);
        startRuntime(token);

        HttpResponse<String> response = chat();

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("\"code\":\"token_unavailable\"").doesNotContain("spaces");
        assertThat(gateway.requests()).isEmpty();
    }

    private void startRuntime(Path tokenFile) throws IOException {
        runtime = SandboxRuntime.start(new RuntimeConfig("127.0.0.1", 0, new LlmAccess.Gateway(gateway.baseUrl(), tokenFile, null), null));
    }

    private String tokenSeenByGateway() throws Exception {
        assertThat(chat().statusCode()).isEqualTo(200);
        return gateway.takeRequest().header("Authorization").substring("Bearer ".length());
    }

    private HttpResponse<String> chat() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + "/v1/chat/completions"))
                .POST(BodyPublishers.ofString(CHAT))
                .build();
        return client.send(request, BodyHandlers.ofString());
    }
}
