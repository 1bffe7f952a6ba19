package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolChoice;
import com.anthropic.models.messages.ToolChoiceAny;
import com.anthropic.models.messages.ToolUseBlock;
import dev.gatehouse.server.gateway.metering.Outcome;
import dev.gatehouse.server.gateway.metering.UsageRecord;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anthropic's Messages API at {@code /v1/messages}, called with the official Anthropic Java SDK
 * (its token as {@code x-api-key}): relayed as is to a channel speaking {@code anthropic.messages},
 * and translated to chat completions for an OpenAI channel; usage metered from either.
 */
class GatewayAnthropicTest {
    private static final String CHANNEL_KEY = "sk-ant-channel-key";

    @TempDir
    static Path dataDir;
    static Vertx vertx;
    static FakeUpstream upstream;
    static TestGateway gateway;
    static AnthropicClient sdk;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = FakeUpstream.start(vertx);
        Path key = Files.writeString(dataDir.resolve("anthropic-key"), CHANNEL_KEY + "\n");
        JsonArray channels = new JsonArray()
                .add(TestGateway.channel("claude", "anthropic", upstream, "claude-json", "claude-sse", "claude-tool",
                                "claude-sse-reset", "claude-sse-1000")
                        .put("protocols", new JsonArray().add("anthropic.messages")).put("apiKeyFile", key.toString()))
                .add(TestGateway.channel("qwen", "qwen", upstream, "json", "sse", "tool", "sse-tool", "sse-reset",
                        "unknown-upstream"));
        gateway = TestGateway.start(dataDir, channels, Map.of());
        sdk = gateway.anthropic(gateway.token());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        vertx.close().await();
    }

    private static MessageCreateParams.Builder ask(String model) {
        return MessageCreateParams.builder().model(model).maxTokens(100).system("Be brief.").addUserMessage("Hi");
    }

    private static FakeUpstream.Seen lastSeen() {
        List<FakeUpstream.Seen> seen = List.copyOf(upstream.seen);
        return seen.get(seen.size() - 1);
    }

    private static String text(Message message) {
        return message.content().stream().flatMap(block -> block.text().stream()).map(t -> t.text())
                .reduce("", String::concat);
    }

    private static Message streamed(MessageCreateParams params) {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = sdk.messages().createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        return accumulator.message();
    }

    private static Tool weatherTool() {
        return Tool.builder().name("get_weather").description("The weather in a city")
                .inputSchema(Tool.InputSchema.builder().properties(Tool.InputSchema.Properties.builder()
                        .putAdditionalProperty("city", JsonValue.from(Map.of("type", "string"))).build()).build())
                .build();
    }

    // --- an anthropic.messages channel: relayed as is ------------------------------------------

    @Test
    void native_message_relayedWithTheChannelKeyAsXApiKey_usageWithCacheTokensRecorded() {
        Message message = sdk.messages().create(ask("claude-json").build());

        assertThat(text(message)).isEqualTo("Hello!");
        assertThat(message.usage().cacheReadInputTokens()).hasValue(4L);
        FakeUpstream.Seen seen = lastSeen();
        assertThat(seen.path()).isEqualTo("/v1/messages");
        assertThat(seen.headers().get("x-api-key")).isEqualTo(CHANNEL_KEY);
        assertThat(seen.headers().get("anthropic-version")).as("the SDK's own").isNotBlank();
        assertThat(seen.authorization()).isNull();
        assertThat(seen.body().getString("system")).isEqualTo("Be brief.");
        UsageRecord record = gateway.metering.lastOf("claude-json");
        assertThat(record.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(record.channel()).isEqualTo("claude");
        assertThat(record.promptTokens()).isEqualTo(14);
        assertThat(record.completionTokens()).isEqualTo(2);
    }

    @Test
    void native_stream_eventsArriveAsSent_usageFromMessageStartAndMessageDelta() {
        Message message = streamed(ask("claude-sse").build());

        assertThat(text(message)).isEqualTo("Hello");
        assertThat(message.usage().outputTokens()).isEqualTo(3);
        UsageRecord record = gateway.metering.lastOf("claude-sse");
        assertThat(record.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(record.promptTokens()).isEqualTo(14);
        assertThat(record.completionTokens()).isEqualTo(3);
    }

    @Test
    void native_toolUse_relayed() {
        Message message = sdk.messages().create(ask("claude-tool").addTool(weatherTool()).build());

        ToolUseBlock use = message.content().get(0).toolUse().orElseThrow();
        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(use._input().convert(Map.class)).isEqualTo(Map.of("city", "Paris"));
        assertThat(message.stopReason()).hasValue(StopReason.TOOL_USE);
        assertThat(lastSeen().body().getJsonArray("tools").getJsonObject(0).getString("name")).isEqualTo("get_weather");
    }

    @Test
    void native_upstreamResetsMidStream_clientSeesError_usageRecordedAsAbortedForWhatWasDelivered() {
        assertThatThrownBy(() -> streamed(ask("claude-sse-reset").build())).isInstanceOf(Exception.class);

        UsageRecord record = gateway.metering.lastOf("claude-sse-reset");
        assertThat(record.outcome()).isEqualTo(Outcome.ABORTED);
        assertThat(record.promptTokens()).isEqualTo(14);
        assertThat(record.completionTokens()).as("three deltas delivered, though message_start said 1").isEqualTo(3);
    }

    @Test
    void countTokens_relayedToTheAnthropicChannel_notBilled() {
        HttpResponse<String> response = gateway.post("/v1/messages/count_tokens",
                "{\"model\":\"claude-json\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
                "x-api-key", gateway.token());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getInteger("input_tokens")).isEqualTo(42);
        assertThat(lastSeen().path()).isEqualTo("/v1/messages/count_tokens");
        assertThat(lastSeen().headers().get("anthropic-version")).as("the default without the client's").isEqualTo("2023-06-01");
        UsageRecord record = gateway.metering.lastOf("claude-json");
        assertThat(record.promptTokens() + record.completionTokens()).isZero();
    }

    @Test
    void countTokens_forAModelOnlyAChatChannelServes_isAnAnthropicShaped400_nothingSent() {
        int before = upstream.requests();
        HttpResponse<String> response = gateway.post("/v1/messages/count_tokens",
                "{\"model\":\"json\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", "x-api-key", gateway.token());

        assertThat(response.statusCode()).isEqualTo(400);
        JsonObject body = new JsonObject(response.body());
        assertThat(body.getString("type")).isEqualTo("error");
        assertThat(body.getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
        assertThat(body.getJsonObject("error").getString("message")).contains("anthropic.messages");
        assertThat(upstream.requests()).isEqualTo(before);
    }

    // --- a chat-only channel: translated -------------------------------------------------------

    @Test
    void translated_message_sentAsChatCompletion_answerTranslatedBack_usageRecorded() {
        Message message = sdk.messages().create(ask("json").stopSequences(List.of("END")).build());

        assertThat(text(message)).isEqualTo("Hello!");
        assertThat(message.stopReason()).hasValue(StopReason.END_TURN);
        assertThat(message.usage().inputTokens()).isEqualTo(7);
        assertThat(message.usage().outputTokens()).isEqualTo(2);
        FakeUpstream.Seen seen = lastSeen();
        assertThat(seen.path()).isEqualTo("/v1/chat/completions");
        assertThat(seen.headers().get("x-api-key")).isNull();
        assertThat(seen.body().getJsonArray("messages")).isEqualTo(new JsonArray()
                .add(new JsonObject().put("role", "system").put("content", "Be brief."))
                .add(new JsonObject().put("role", "user").put("content", "Hi")));
        assertThat(seen.body().getInteger("max_tokens")).isEqualTo(100);
        assertThat(seen.body().getJsonArray("stop")).isEqualTo(new JsonArray().add("END"));
        UsageRecord record = gateway.metering.lastOf("json");
        assertThat(record.channel()).isEqualTo("qwen");
        assertThat(record.promptTokens()).isEqualTo(7);
        assertThat(record.completionTokens()).isEqualTo(2);
    }

    @Test
    void translated_stream_chatChunksBecomeAnthropicEvents_usageInMessageDelta() {
        Message message = streamed(ask("sse").build());

        assertThat(text(message)).isEqualTo("Hello");
        assertThat(message.stopReason()).hasValue(StopReason.END_TURN);
        assertThat(message.usage().outputTokens()).isEqualTo(3);
        assertThat(lastSeen().body().getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
        UsageRecord record = gateway.metering.lastOf("sse");
        assertThat(record.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(record.promptTokens()).isEqualTo(5);
        assertThat(record.completionTokens()).isEqualTo(3);
    }

    @Test
    void translated_toolUse_toolsAndToolChoiceTranslated_toolCallsBecomeToolUseBlocks() {
        Message message = sdk.messages().create(ask("tool").addTool(weatherTool())
                .toolChoice(ToolChoice.ofAny(ToolChoiceAny.builder().build())).build());

        ToolUseBlock use = message.content().get(0).toolUse().orElseThrow();
        assertThat(use.id()).isEqualTo("call_1");
        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(use._input().convert(Map.class)).isEqualTo(Map.of("city", "Paris"));
        assertThat(message.stopReason()).hasValue(StopReason.TOOL_USE);
        JsonObject sent = lastSeen().body();
        assertThat(sent.getString("tool_choice")).isEqualTo("required");
        JsonObject function = sent.getJsonArray("tools").getJsonObject(0).getJsonObject("function");
        assertThat(function.getString("name")).isEqualTo("get_weather");
        assertThat(function.getJsonObject("parameters").getJsonObject("properties").getJsonObject("city").getString("type"))
                .isEqualTo("string");
    }

    @Test
    void translated_streamedToolUse_argumentsArriveAsInputJsonDeltas() {
        Message message = streamed(ask("sse-tool").addTool(weatherTool()).build());

        ToolUseBlock use = message.content().get(0).toolUse().orElseThrow();
        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(use._input().convert(Map.class)).isEqualTo(Map.of("city", "Paris"));
        assertThat(message.stopReason()).hasValue(StopReason.TOOL_USE);
    }

    @Test
    void translated_toolResultsAndImages_becomeToolMessagesAndImageParts() {
        String body = new JsonObject().put("model", "json").put("max_tokens", 50).put("messages", new JsonArray()
                .add(new JsonObject().put("role", "user").put("content", "Weather?"))
                .add(new JsonObject().put("role", "assistant").put("content", new JsonArray().add(new JsonObject()
                        .put("type", "tool_use").put("id", "call_1").put("name", "get_weather")
                        .put("input", new JsonObject().put("city", "Paris")))))
                .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                        .add(new JsonObject().put("type", "tool_result").put("tool_use_id", "call_1").put("content", "sunny"))
                        .add(new JsonObject().put("type", "image").put("source", new JsonObject().put("type", "base64")
                                .put("media_type", "image/png").put("data", "iVBORw0KGgo=")))
                        .add(new JsonObject().put("type", "image").put("source", new JsonObject().put("type", "url")
                                .put("url", "https://example.test/cat.png")))))).encode();

        HttpResponse<String> response = gateway.post("/v1/messages", body, "x-api-key", gateway.token());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonArray sent = lastSeen().body().getJsonArray("messages");
        assertThat(sent.getJsonObject(1).getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function")
                .getString("arguments")).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(sent.getJsonObject(2)).isEqualTo(new JsonObject().put("role", "tool").put("tool_call_id", "call_1")
                .put("content", "sunny"));
        JsonArray parts = sent.getJsonObject(3).getJsonArray("content");
        assertThat(parts.getJsonObject(0).getJsonObject("image_url").getString("url"))
                .isEqualTo("data:image/png;base64,iVBORw0KGgo=");
        assertThat(parts.getJsonObject(1).getJsonObject("image_url").getString("url"))
                .isEqualTo("https://example.test/cat.png");
    }

    // --- refusals in Anthropic's shape ---------------------------------------------------------

    @Test
    void malformedBodies_areAnthropicShaped400s_nothingSentNothingRecorded() {
        int before = upstream.requests();
        int records = gateway.metering.records.size();
        for (String body : List.of("{not json", "[]", "{\"model\":\"json\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
                "{\"model\":\"json\",\"max_tokens\":10}", "{\"model\":\"json\",\"max_tokens\":10,\"messages\":[{\"role\":\"bot\",\"content\":\"x\"}]}",
                "{\"model\":\"json\",\"max_tokens\":\"ten\",\"messages\":[]}",
                "{\"model\":\"json\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\"}]}]}")) {
            HttpResponse<String> response = gateway.post("/v1/messages", body, "x-api-key", gateway.token());

            assertThat(response.statusCode()).as(body).isEqualTo(400);
            JsonObject error = new JsonObject(response.body());
            assertThat(error.getString("type")).as(body).isEqualTo("error");
            assertThat(error.getJsonObject("error").getString("type")).as(body).isEqualTo("invalid_request_error");
            assertThat(error.getJsonObject("error").getString("message")).as(body).isNotBlank();
        }
        assertThat(upstream.requests()).isEqualTo(before);
        assertThat(gateway.metering.records).hasSize(records);
    }

    @Test
    void sdk_withABadToken_getsAnAnthropicAuthenticationError() {
        AnthropicServiceException e = (AnthropicServiceException) org.assertj.core.api.Assertions.catchThrowable(
                () -> gateway.anthropic("not-a-token").messages().create(ask("json").build()));

        assertThat(e.statusCode()).isEqualTo(401);
        assertThat(e.body().toString()).contains("authentication_error");
    }

    @Test
    void translated_upstreamError_keepsItsMessage_inAnthropicsShape() {
        AnthropicServiceException e = (AnthropicServiceException) org.assertj.core.api.Assertions.catchThrowable(
                () -> sdk.messages().create(ask("unknown-upstream").build()));

        assertThat(e.statusCode()).isEqualTo(404);
        assertThat(e.body().toString()).contains("not_found_error", "no model");
    }

    @Test
    void unknownModel_isAnAnthropicNotFoundError() {
        HttpResponse<String> response = gateway.post("/v1/messages",
                "{\"model\":\"nope\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
                "Authorization", "Bearer " + gateway.token());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(response.body()).getJsonObject("error").getString("type")).isEqualTo("not_found_error");
    }
}
