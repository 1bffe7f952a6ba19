package dev.gatehouse.server.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Usage from non-streaming response bodies, and the request rewrite that asks for it when streaming. */
class UsageExtractionTest {

    @Test
    void chatCompletion_usageIsPromptAndCompletionTokens() {
        Buffer body = Buffer.buffer("""
                {"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant",
                "content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":34,
                "total_tokens":46}}""");

        assertThat(Usage.fromJson(body)).contains(new Usage(12, 34));
    }

    @Test
    void embeddings_haveOnlyPromptTokens_completionIsZero() {
        Buffer body = Buffer.buffer("""
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],
                "model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}""");

        assertThat(Usage.fromJson(body)).contains(new Usage(8, 0));
    }

    @Test
    void bodiesWithoutUsableUsage_giveNothing_neverThrow() {
        assertThat(Usage.fromJson(Buffer.buffer("{\"choices\":[]}"))).isEmpty();
        assertThat(Usage.fromJson(Buffer.buffer("{\"usage\":null}"))).isEmpty();
        assertThat(Usage.fromJson(Buffer.buffer("{\"usage\":{\"prompt_tokens\":-1}}"))).isEmpty();
        assertThat(Usage.fromJson(Buffer.buffer("{\"usage\":{\"prompt_tokens\":1.5}}"))).isEmpty();
        assertThat(Usage.fromJson(Buffer.buffer("{\"usage\":{\"prompt_tokens\":\"3\"}}"))).isEmpty();
        assertThat(Usage.fromJson(Buffer.buffer("[1,2]"))).isEmpty();
        assertThat(Usage.fromJson(Buffer.buffer("{\"usage\":"))).isEmpty();
        assertThat(Usage.fromJson(Buffer.buffer("<html>bad gateway</html>"))).isEmpty();
    }

    @Test
    void responseUsage_fedInChunks_readsSmallBodiesWhole() {
        ResponseUsage usage = new ResponseUsage();
        String body = "{\"choices\":[{\"text\":\"usage\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}";
        for (int i = 0; i < body.length(); i += 7) {
            usage.onChunk(Buffer.buffer(body.substring(i, Math.min(body.length(), i + 7))));
        }

        assertThat(usage.usage()).contains(new Usage(3, 4));
    }

    @Test
    void responseUsage_bodyOverTheCap_keepsOnlyTheTail_andStillFindsTrailingUsage() {
        ResponseUsage usage = new ResponseUsage();
        usage.onChunk(Buffer.buffer("{\"object\":\"list\",\"data\":[{\"embedding\":["));
        Buffer numbers = Buffer.buffer("0.0123456789,".repeat(80_000));
        while (usage.bytes() < ResponseUsage.MAX_PARSED_BYTES + 1_000_000) {
            usage.onChunk(numbers);
        }
        usage.onChunk(Buffer.buffer("1.0]}],\"model\":\"m\",\"usage\":{\"prompt_tokens\":4096,\"total_tokens\":4096}}"));

        assertThat(usage.usage()).contains(new Usage(4096, 0));
    }

    @Test
    void responseUsage_bodyOverTheCap_withoutUsageInTheTail_isUnknown() {
        ResponseUsage usage = new ResponseUsage();
        usage.onChunk(Buffer.buffer("{\"usage\":{\"prompt_tokens\":1},\"data\":\""));
        Buffer filler = Buffer.buffer("x".repeat(1 << 20));
        for (int i = 0; i < 9; i++) {
            usage.onChunk(filler);
        }
        usage.onChunk(Buffer.buffer("\"}"));

        assertThat(usage.usage()).isEmpty();
    }

    @Test
    void streamingRequest_getsIncludeUsage_andReportsTheClientDidNotAsk() {
        Buffer body = Buffer.buffer("{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        UsageRequestRewriter.Rewritten rewritten = UsageRequestRewriter.forStreaming(body);

        assertThat(rewritten.clientAskedForUsage()).isFalse();
        assertThat(rewritten.stripUsageChunk()).isTrue();
        JsonObject sent = new JsonObject(rewritten.body());
        assertThat(sent.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
        assertThat(sent.fieldNames()).containsExactly("model", "stream", "messages", "stream_options");
        assertThat(sent.getJsonArray("messages")).isEqualTo(new JsonObject(body).getJsonArray("messages"));
    }

    @Test
    void streamingRequest_withOtherStreamOptions_keepsThem() {
        Buffer body = Buffer.buffer("{\"stream\":true,\"stream_options\":{\"include_obfuscation\":false,\"include_usage\":false}}");

        UsageRequestRewriter.Rewritten rewritten = UsageRequestRewriter.forStreaming(body);

        assertThat(rewritten.clientAskedForUsage()).isFalse();
        assertThat(new JsonObject(rewritten.body()).getJsonObject("stream_options"))
                .isEqualTo(new JsonObject("{\"include_obfuscation\":false,\"include_usage\":true}"));
    }

    @Test
    void clientThatAskedForUsage_getsItsBodyByteForByte() {
        Buffer body = Buffer.buffer("{ \"stream\" : true, \"stream_options\": {\"include_usage\": true} }");

        UsageRequestRewriter.Rewritten rewritten = UsageRequestRewriter.forStreaming(body);

        assertThat(rewritten.clientAskedForUsage()).isTrue();
        assertThat(rewritten.body()).isSameAs(body);
    }

    @Test
    void nonStreamingRequest_isPassedUnchanged() {
        Buffer body = Buffer.buffer("{\"model\":\"m\",\"stream\":false}");
        Buffer noStream = Buffer.buffer("{\"model\":\"m\"}");

        assertThat(UsageRequestRewriter.forStreaming(body).body()).isSameAs(body);
        assertThat(UsageRequestRewriter.forStreaming(noStream).body()).isSameAs(noStream);
    }

    @Test
    void malformedJson_isA400InvalidJson_withoutEchoingTheBody() {
        InvalidRequestBodyException e = assertThatExceptionOfType(InvalidRequestBodyException.class)
                .isThrownBy(() -> UsageRequestRewriter.forStreaming(Buffer.buffer("{\"stream\":true, sk-secret")))
                .actual();

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("invalid_json");
        assertThat(e.getMessage()).isEqualTo("The request body is not a valid JSON object.").doesNotContain("sk-secret");
        assertThat(assertThatExceptionOfType(InvalidRequestBodyException.class)
                .isThrownBy(() -> UsageRequestRewriter.forStreaming(Buffer.buffer("[true]"))).actual().code())
                .isEqualTo("invalid_json");
    }

    @Test
    void streamOptionsThatIsNotAnObject_isA400NamingTheParameter() {
        InvalidRequestBodyException e = assertThatExceptionOfType(InvalidRequestBodyException.class)
                .isThrownBy(() -> UsageRequestRewriter.forStreaming(Buffer.buffer("{\"stream\":true,\"stream_options\":1}")))
                .actual();

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("invalid_stream_options");
        assertThat(e.param()).isEqualTo("stream_options");
    }

    @Test
    void bodyOverTheCap_isA413_beforeParsing() {
        InvalidRequestBodyException e = assertThatExceptionOfType(InvalidRequestBodyException.class)
                .isThrownBy(() -> UsageRequestRewriter.forStreaming(Buffer.buffer("{\"stream\":true}   "), 16))
                .actual();

        assertThat(e.status()).isEqualTo(413);
        assertThat(e.code()).isEqualTo("request_too_large");
        assertThat(Optional.ofNullable(e.param())).isEmpty();
    }
}
