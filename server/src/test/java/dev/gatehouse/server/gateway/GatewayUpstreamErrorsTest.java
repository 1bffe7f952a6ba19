package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.SseException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.gatehouse.server.gateway.metering.Outcome;
import dev.gatehouse.server.gateway.metering.UsageRecord;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream errors as an OpenAI client sees them (the official OpenAI SDK): a bodiless 4xx gets a
 * proper error body, an upstream dying mid-stream ends the stream with an error event (metered as
 * aborted, with what was delivered), and a channel with {@code includeUsage: false} never receives
 * {@code stream_options}.
 */
class GatewayUpstreamErrorsTest {
    @TempDir
    static Path dataDir;

    static Vertx vertx;
    static FakeUpstream upstream;
    static FakeUpstream plain;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        upstream = FakeUpstream.start(vertx);
        plain = FakeUpstream.start(vertx);
        JsonArray channels = new JsonArray()
                .add(TestGateway.channel("main", "main", upstream, "bodiless-400", "sse-reset"))
                .add(TestGateway.channel("plain", "plain", plain, "sse").put("includeUsage", false));
        gateway = TestGateway.start(dataDir, channels, Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        vertx.close().await();
    }

    @Test
    void bodilessUpstream400_reachesTheClientAsAnOpenAiError_meteredAsFailed() throws Exception {
        BadRequestException e = catchThrowableOfType(BadRequestException.class, () -> gateway.sdk(gateway.pat("bo", "acme"))
                .chat().completions().create(ChatCompletionCreateParams.builder()
                        .model("bodiless-400").addUserMessage("hi").build()));

        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.code()).hasValue("upstream_400");
        assertThat(e.type()).hasValue("invalid_request_error");
        assertThat(e.getMessage()).contains("The upstream answered 400 without a body.");
        UsageRecord record = awaitRecord("bodiless-400");
        assertThat(record.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(record.status()).isEqualTo(400);
    }

    @Test
    void upstreamDiesMidStream_clientGetsTheDeltasThenAnErrorEvent_meteredAsAbortedWithWhatWasDelivered()
            throws Exception {
        List<String> deltas = new ArrayList<>();
        SseException e;
        try (StreamResponse<ChatCompletionChunk> stream = gateway.sdk(gateway.pat("bo", "acme")).chat().completions()
                .createStreaming(ChatCompletionCreateParams.builder().model("sse-reset").addUserMessage("hi").build())) {
            e = catchThrowableOfType(SseException.class, () -> stream.stream().forEach(chunk ->
                    chunk.choices().forEach(choice -> choice.delta().content().ifPresent(deltas::add))));
        }

        assertThat(deltas).containsExactly("partial", " more");
        assertThat(e.getMessage()).contains("The upstream's connection broke off mid-response");
        assertThat(e.code()).hasValue("upstream_stream_broken");
        UsageRecord record = awaitRecord("sse-reset");
        assertThat(record.outcome()).isEqualTo(Outcome.ABORTED);
        assertThat(record.completionTokens()).isEqualTo(2);
    }

    @Test
    void channelWithIncludeUsageOff_neverReceivesStreamOptions_meteredByWhatItDelivered() throws Exception {
        for (boolean clientAsks : new boolean[] {false, true}) {
            ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder().model("sse")
                    .addUserMessage("hi");
            if (clientAsks) {
                params.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
            }
            List<String> deltas = new ArrayList<>();
            try (StreamResponse<ChatCompletionChunk> stream = gateway.sdk(gateway.pat("bo", "acme")).chat().completions()
                    .createStreaming(params.build())) {
                stream.stream().forEach(chunk -> chunk.choices().forEach(c -> c.delta().content().ifPresent(deltas::add)));
            }
            assertThat(deltas).containsExactly("Hel", "lo");
        }

        assertThat(plain.seen).hasSize(2).allSatisfy(seen -> assertThat(seen.body().containsKey("stream_options")).isFalse());
        UsageRecord record = awaitRecord("sse");
        assertThat(record.channel()).isEqualTo("plain");
        assertThat(record.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(record.completionTokens()).isEqualTo(2);
        assertThat(record.promptTokens()).isPositive();
    }

    private static UsageRecord awaitRecord(String model) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            List<UsageRecord> records = gateway.metering.records.stream().filter(r -> r.model().equals(model)).toList();
            if (!records.isEmpty()) {
                return records.getFirst();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no usage record for " + model);
    }
}
