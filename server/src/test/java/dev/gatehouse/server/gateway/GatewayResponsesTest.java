package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.models.Model;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import dev.gatehouse.server.gateway.metering.Outcome;
import dev.gatehouse.server.gateway.metering.UsageRecord;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenAI's Responses API at {@code /v1/responses}, relayed to a channel speaking it and translated
 * for a chat-only channel, and {@code GET
 * /v1/models/{id}}, called with the official OpenAI Java SDK.
 */
class GatewayResponsesTest {
    @TempDir
    static Path dataDir;
    static Vertx vertx;
    static FakeUpstream upstream;
    static TestGateway gateway;
    static OpenAIClient sdk;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        upstream = FakeUpstream.start(vertx);
        JsonArray channels = new JsonArray()
                .add(TestGateway.channel("qwen", "qwen", upstream, "json", "sse", "tool", "sse-tool", "Qwen/Qwen3-8B"))
                .add(TestGateway.channel("codex", "openai", upstream, "native-model")
                        .put("protocols", new JsonArray().add("openai.responses")))
                .add(TestGateway.channel("hidden", "hidden", upstream, "secret-model").put("organizations",
                        new JsonArray().add("someone-else")));
        gateway = TestGateway.start(dataDir, channels, Map.of());
        sdk = gateway.sdk(gateway.token());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        vertx.close().await();
    }

    private static JsonObject lastSent() {
        List<FakeUpstream.Seen> seen = List.copyOf(upstream.seen);
        return seen.get(seen.size() - 1).body();
    }

    private static String text(Response response) {
        return response.output().stream().flatMap(item -> item.message().stream())
                .flatMap(message -> message.content().stream()).flatMap(content -> content.outputText().stream())
                .map(t -> t.text()).reduce("", String::concat);
    }

    @Test
    void native_responseAndStream_relayedAsIs_usageFromTheResponseAndResponseCompleted() {
        Response response = sdk.responses().create(ResponseCreateParams.builder().model("native-model").input("Hi")
                .previousResponseId("resp_0").build());
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(ResponseCreateParams.builder()
                .model("native-model").input("Hi").build())) {
            stream.stream().forEach(event -> event.outputTextDelta().ifPresent(delta -> text.append(delta.delta())));
        }

        assertThat(text(response)).isEqualTo("Native!");
        assertThat(text.toString()).isEqualTo("Native!");
        List<FakeUpstream.Seen> seen = upstream.seenAt("/v1/responses");
        assertThat(seen.get(seen.size() - 2).body().getString("previous_response_id")).as("stateful is fine natively")
                .isEqualTo("resp_0");
        List<UsageRecord> records = gateway.metering.records.stream().filter(r -> r.model().equals("native-model")).toList();
        assertThat(records).extracting(UsageRecord::promptTokens, UsageRecord::completionTokens)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(9L, 4L), org.assertj.core.groups.Tuple.tuple(9L, 4L));
    }

    @Test
    void response_translatedToAChatCompletion_andBack_usageRecorded() {
        Response response = sdk.responses().create(ResponseCreateParams.builder().model("json")
                .instructions("Be brief.").input("Hi").maxOutputTokens(100).build());

        assertThat(text(response)).isEqualTo("Hello!");
        assertThat(response.status()).hasValue(ResponseStatus.COMPLETED);
        assertThat(response.usage().orElseThrow().inputTokens()).isEqualTo(7);
        assertThat(response.usage().orElseThrow().outputTokens()).isEqualTo(2);
        JsonObject sent = lastSent();
        assertThat(sent.getJsonArray("messages")).isEqualTo(new JsonArray()
                .add(new JsonObject().put("role", "system").put("content", "Be brief."))
                .add(new JsonObject().put("role", "user").put("content", "Hi")));
        assertThat(sent.getInteger("max_tokens")).isEqualTo(100);
        UsageRecord record = gateway.metering.lastOf("json");
        assertThat(record.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(record.promptTokens()).isEqualTo(7);
        assertThat(record.completionTokens()).isEqualTo(2);
    }

    @Test
    void stream_chatChunksBecomeResponsesEvents_usageFromResponseCompleted() {
        StringBuilder text = new StringBuilder();
        Response[] completed = new Response[1];
        try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(ResponseCreateParams.builder()
                .model("sse").input("Hi").build())) {
            stream.stream().forEach(event -> {
                event.outputTextDelta().ifPresent(delta -> text.append(delta.delta()));
                event.completed().ifPresent(done -> completed[0] = done.response());
            });
        }

        assertThat(text.toString()).isEqualTo("Hello");
        assertThat(text(completed[0])).isEqualTo("Hello");
        assertThat(completed[0].usage().orElseThrow().outputTokens()).isEqualTo(3);
        assertThat(lastSent().getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
        UsageRecord record = gateway.metering.lastOf("sse");
        assertThat(record.promptTokens()).isEqualTo(5);
        assertThat(record.completionTokens()).isEqualTo(3);
    }

    @Test
    void functionTools_translated_toolCallsBecomeFunctionCallItems() {
        Response response = sdk.responses().create(ResponseCreateParams.builder().model("tool").input("Weather in Paris?")
                .addTool(FunctionTool.builder().name("get_weather").strict(false)
                        .parameters(FunctionTool.Parameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                                .build()).build())
                .build());

        ResponseFunctionToolCall call = response.output().get(0).functionCall().orElseThrow();
        assertThat(call.callId()).isEqualTo("call_1");
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call.arguments()).isEqualTo("{\"city\":\"Paris\"}");
        JsonObject function = lastSent().getJsonArray("tools").getJsonObject(0).getJsonObject("function");
        assertThat(function.getString("name")).isEqualTo("get_weather");
    }

    @Test
    void streamedFunctionCall_argumentsArriveAsDeltas() {
        StringBuilder arguments = new StringBuilder();
        try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(ResponseCreateParams.builder()
                .model("sse-tool").input("Weather in Paris?").build())) {
            stream.stream().forEach(event -> event.functionCallArgumentsDelta().ifPresent(d -> arguments.append(d.delta())));
        }

        assertThat(arguments.toString()).isEqualTo("{\"city\":\"Paris\"}");
    }

    @Test
    void statefulRequests_areAClear400_nothingSent() {
        int before = upstream.requests();
        BadRequestException previous = catchThrowableOfType(BadRequestException.class, () -> sdk.responses().create(
                ResponseCreateParams.builder().model("json").input("Hi").previousResponseId("resp_1").build()));
        BadRequestException stored = catchThrowableOfType(BadRequestException.class, () -> sdk.responses().create(
                ResponseCreateParams.builder().model("json").input("Hi").store(true).build()));

        assertThat(previous.getMessage()).contains("previous_response_id");
        assertThat(previous.code()).hasValue("unsupported_in_translation");
        assertThat(stored.getMessage()).contains("store");
        assertThat(upstream.requests()).isEqualTo(before);
    }

    @Test
    void model_retrieved_unknownOrForbiddenModelsAre404() {
        Model model = sdk.models().retrieve("json");
        NotFoundException unknown = catchThrowableOfType(NotFoundException.class, () -> sdk.models().retrieve("nope"));
        NotFoundException forbidden = catchThrowableOfType(NotFoundException.class,
                () -> sdk.models().retrieve("secret-model"));

        assertThat(model.id()).isEqualTo("json");
        assertThat(sdk.models().retrieve("Qwen/Qwen3-8B").id()).isEqualTo("Qwen/Qwen3-8B");
        assertThat(model.ownedBy()).isEqualTo("qwen");
        assertThat(unknown.code()).hasValue("model_not_found");
        assertThat(forbidden.getMessage()).isEqualTo(unknown.getMessage().replace("nope", "secret-model"));
    }
}
