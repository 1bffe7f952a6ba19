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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A runtime started with {@link LlmAccess.Subscription}: no gateway, only a health report on the owner's credential. */
class SubscriptionModeTest {
    private static final String NO_GATEWAY = "{\"error\":{\"message\":\"This sandbox uses its owner's own subscription:"
            + " call the provider directly with $ANTHROPIC_API_KEY; there is no gateway here.\",\"type\":\"api_error\","
            + "\"param\":null,\"code\":\"no_gateway\"}}";

    @TempDir
    Path directory;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private SandboxRuntime runtime;

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
        client.close();
    }

    @Test
    void healthz_namesTheCredentialVariable_andSaysItIsAvailable_whenItIsInTheVariable() throws Exception {
        start(null, null);

        HttpResponse<String> response = get("/healthz");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("{\"status\":\"ok\",\"llm\":\"subscription\","
                + "\"credential_variable\":\"ANTHROPIC_API_KEY\",\"credential_available\":true}");
    }

    @Test
    void healthz_namesTheDefaultModel_whenConfigured() throws Exception {
        start(null, "claude-sonnet-4");

        assertThat(get("/healthz").body()).isEqualTo("{\"status\":\"ok\",\"llm\":\"subscription\","
                + "\"credential_variable\":\"ANTHROPIC_API_KEY\",\"credential_available\":true,"
                + "\"default_model\":\"claude-sonnet-4\"}");
    }

    @Test
    void credentialFile_isAvailableWhilePresent_andNeverShown() throws Exception {
        Path credential = directory.resolve("credential");
        start(credential, null);
        assertThat(credentialAvailable()).as("missing at start").isFalse();

        Files.writeString(credential, "sk-ant-first-0001\n");
        assertThat(credentialAvailable()).as("written").isTrue();

        Path next = directory.resolve("credential.tmp");
        Files.writeString(next, "sk-ant-other-0002\n");
        Files.move(next, credential, ATOMIC_MOVE, REPLACE_EXISTING);
        HttpResponse<String> afterRename = get("/healthz");
        assertThat(afterRename.body()).contains("\"credential_available\":true").doesNotContain("sk-ant");

        Files.delete(credential);
        assertThat(credentialAvailable()).as("deleted").isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " \n", "sk-ant with spaces"})
    void credentialFileEmptyOrMalformed_isUnavailable(String content) throws Exception {
        Path credential = Files.writeString(directory.resolve("credential"), content);
        start(credential, null);

        assertThat(credentialAvailable()).isFalse();
    }

    @Test
    void chatCompletion_answers503NoGateway() throws Exception {
        start(null, null);
        HttpRequest request = request("/v1/chat/completions")
                .header("Authorization", "Bearer sk-ant-own")
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"model\":\"claude-sonnet-4\",\"messages\":[]}"))
                .build();

        HttpResponse<String> response = client.send(request, BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo(NO_GATEWAY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/models", "/v1/models?provider=anthropic", "/v1/models/claude-sonnet-4"})
    void models_answer503NoGateway(String path) throws Exception {
        start(null, null);

        HttpResponse<String> response = get(path);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo(NO_GATEWAY);
    }

    private void start(Path credentialFile, String defaultModel) throws IOException {
        runtime = SandboxRuntime.start(new RuntimeConfig("127.0.0.1", 0,
                new LlmAccess.Subscription("ANTHROPIC_API_KEY", credentialFile), defaultModel));
    }

    private boolean credentialAvailable() throws Exception {
        String body = get("/healthz").body();
        assertThat(body).containsAnyOf("\"credential_available\":true}", "\"credential_available\":false}");
        return body.contains("\"credential_available\":true");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(request(path).GET().build(), BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + path));
    }
}
