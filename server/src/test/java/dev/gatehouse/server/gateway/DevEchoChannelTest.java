package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.identity.LocalSession;
import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Embedded defaults on a fixed port, no channel configured: the gateway routes to Gatehouse's own
 * echo upstream, so a sandbox started from nothing runs, answers the official OpenAI SDK whole and
 * streamed, and its calls are metered like any other.
 */
class DevEchoChannelTest {
    @TempDir
    static Path dataDir;

    static Gatehouse gatehouse;
    static String session;

    @BeforeAll
    static void start() {
        GatehouseConfig config = TestGatehouse.config(dataDir, Map.of("GATEHOUSE_SERVER_PORT", String.valueOf(TestGatehouse.freePort())));
        gatehouse = Gatehouse.start(config);
        session = SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), Clock.systemUTC())
                .mint(LocalSession.request("dora", "acme", List.of(), List.of(), Duration.ofHours(1),
                        config.tokens().issuer()))
                .token();
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
    }

    @Test
    void aSandboxStartedFromNothing_talksToTheEchoChannel_andIsMetered() {
        HttpResponse<String> created = TestGatehouse.send(HttpRequest.newBuilder(gatehouse.localUrl().resolve("/api/v1/sandbox/sessions"))
                .header("Authorization", "Bearer " + session).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"first\",\"model\":\"echo\"}")).build());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = new JsonObject(created.body()).getString("id");
        Await.until("the sandbox running", Duration.ofSeconds(30), () -> "running".equals(new JsonObject(TestGatehouse.get(
                gatehouse.localUrl().resolve("/api/v1/sandbox/sessions/" + id), "Authorization", "Bearer " + session)
                .body()).getString("status")));

        OpenAIClient sdk = OpenAIOkHttpClient.builder().baseUrl(gatehouse.localUrl().resolve("/sandboxes/" + id + "/v1").toString())
                .apiKey(session).maxRetries(0).build();
        ChatCompletion completion = sdk.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("echo").addUserMessage("hello there").build());
        assertThat(completion.choices().getFirst().message().content()).hasValue("Echo: hello there");
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("echo").addUserMessage("and again").build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> choice.delta().content().ifPresent(streamed::append)));
        }
        assertThat(streamed.toString()).isEqualTo("Echo: and again");

        Await.until("both calls metered under the sandbox", Duration.ofSeconds(10), () -> {
            JsonObject usage = new JsonObject(TestGatehouse.get(gatehouse.localUrl().resolve("/api/v1/usage?groupBy=sandbox,model"),
                    "Authorization", "Bearer " + session).body());
            return usage.getJsonArray("groups").stream().map(JsonObject.class::cast).anyMatch(group ->
                    id.equals(group.getString("sandbox")) && "echo".equals(group.getString("model"))
                            && group.getLong("requests") == 2 && group.getLong("completion_tokens") == 6);
        });
    }

    @Test
    void theEchoUpstream_refusesABodyWithoutMessages() {
        HttpResponse<String> response = TestGatehouse.send(HttpRequest.newBuilder(
                        gatehouse.localUrl().resolve("/dev/echo/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("[1,2]")).build());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(response.body()).getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    }

}
