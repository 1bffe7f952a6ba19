package dev.gatehouse.server.gateway.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.gateway.GatewayException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parse-and-rewrite stage: one strict decode, a streaming body that asks the upstream for its
 * usage where the channel accepts it, and the upstream's name for an aliased model.
 */
class ChatRequestTest {
    private static final ChannelConfig PLAIN = channel(Map.of(), true);

    @Test
    void aliasedModel_isSentUnderTheUpstreamsName_andTheParsedBodyIsLeftAlone() {
        Buffer body = Buffer.buffer("{\"model\":\"gpt-4o\",\"messages\":[],\"max_tokens\":5}");
        ChatRequest request = ChatRequest.parse(body);
        ChannelConfig aliased = channel(Map.of("gpt-4o", "azure-gpt4o-2024-08"), true);

        assertThat(request.bodyFor(aliased).toString())
                .isEqualTo("{\"model\":\"azure-gpt4o-2024-08\",\"messages\":[],\"max_tokens\":5}");
        assertThat(request.model()).isEqualTo("gpt-4o");
        assertThat(request.bodyFor(PLAIN)).isSameAs(body);
    }

    @Test
    void channelWithoutIncludeUsage_neverReceivesStreamOptions() {
        ChannelConfig noUsage = channel(Map.of("gpt-4o", "up"), false);
        ChatRequest plain = ChatRequest.parse(Buffer.buffer("{\"model\":\"m\",\"stream\":true}"));
        ChatRequest asked = ChatRequest.parse(Buffer.buffer(
                "{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}"));

        assertThat(plain.bodyFor(channel(Map.of(), false))).isSameAs(plain.body());
        assertThat(asked.bodyFor(noUsage).toString()).isEqualTo("{\"model\":\"up\",\"stream\":true}");
        assertThat(asked.clientAskedForUsage()).isTrue();
    }

    private static ChannelConfig channel(Map<String, String> aliases, boolean includeUsage) {
        return new ChannelConfig("c", "p", URI.create("http://127.0.0.1/v1"), Optional.empty(), Optional.empty(),
                List.of("m"), 1, 0, ChannelConfig.DEFAULT_PROBE_PATH, Set.of(), Map.of(), aliases, includeUsage);
    }

    @Test
    void nonStreamingBody_isForwardedByteForByte() {
        Buffer body = Buffer.buffer("{ \"model\" : \"m\", \"stream\": false, \"max_tokens\": 7 }");

        ChatRequest request = ChatRequest.parse(body);

        assertThat(request.bodyFor(PLAIN)).isSameAs(body);
        assertThat(request.model()).isEqualTo("m");
        assertThat(request.stream()).isFalse();
        assertThat(request.maxOutputTokens()).isEqualTo(7);
        assertThat(request.estimatedPromptTokens() + request.maxOutputTokens()).isEqualTo(body.length() / 4 + 7);
    }

    @Test
    void streamingRequest_getsIncludeUsage_andKnowsTheClientDidNotAsk() {
        Buffer body = Buffer.buffer("{\"model\":\"gpt-4o\",\"stream\":true,\"temperature\":0.70,\"seed\":12345678901234567890,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        ChatRequest request = ChatRequest.parse(body);

        assertThat(request.clientAskedForUsage()).isFalse();
        String sent = request.bodyFor(PLAIN).toString();
        assertThat(sent).isEqualTo("{\"model\":\"gpt-4o\",\"stream\":true,\"temperature\":0.70,\"seed\":12345678901234567890,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream_options\":{\"include_usage\":true}}");
        assertThat(request.body()).isSameAs(body);
    }

    @Test
    void streamingRequest_withOtherStreamOptions_keepsThemInPlace() {
        ChatRequest request = ChatRequest.parse(Buffer.buffer(
                "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_obfuscation\":false,\"include_usage\":false},\"n\":1}"));

        assertThat(request.clientAskedForUsage()).isFalse();
        assertThat(request.bodyFor(PLAIN).toString()).isEqualTo(
                "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_obfuscation\":false,\"include_usage\":true},\"n\":1}");
    }

    @Test
    void streamOptionsNull_becomesAnObjectAskingForUsage() {
        ChatRequest request = ChatRequest.parse(Buffer.buffer("{\"model\":\"m\",\"stream\":true,\"stream_options\":null}"));

        assertThat(new JsonObject(request.bodyFor(PLAIN)).getJsonObject("stream_options").getBoolean("include_usage"))
                .isTrue();
    }

    @Test
    void clientThatAskedForUsage_getsItsBodyByteForByte() {
        Buffer body = Buffer.buffer("{ \"model\":\"m\", \"stream\" : true, \"stream_options\": {\"include_usage\": true} }");

        ChatRequest request = ChatRequest.parse(body);

        assertThat(request.clientAskedForUsage()).isTrue();
        assertThat(request.bodyFor(PLAIN)).isSameAs(body);
    }

    @Test
    void streamOptionsThatIsNotAnObject_isA400NamingTheParameter() {
        GatewayException e = refused("{\"model\":\"m\",\"stream\":true,\"stream_options\":1}");

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("invalid_stream_options");
    }

    @Test
    void duplicateKeys_areRefused_soRoutingAndTheUpstreamCannotDisagree() {
        GatewayException e = refused("{\"model\":\"a\",\"model\":\"b\"}");

        assertThat(e.code()).isEqualTo("invalid_json");
        assertThat(e.getMessage()).contains("duplicate key");
    }

    @Test
    void nestingDeeperThanTheLimit_isRefusedAtParseTime() {
        String deep = "[".repeat(1_000) + "]".repeat(1_000);

        GatewayException e = refused("{\"model\":\"m\",\"stream\":true,\"messages\":" + deep + "}");

        assertThat(e.code()).isEqualTo("invalid_json");
        assertThat(e.getMessage()).contains("nested more than " + ChatRequest.MAX_DEPTH);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e30", "9223372036854775808", "-1", "1.5", "\"10\"", "2147483648"})
    void outputSizeOutOfRange_isA400NamingTheField(String value) {
        GatewayException e = refused("{\"model\":\"m\",\"max_completion_tokens\":" + value + "}");

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("invalid_value");
        assertThat(e.getMessage()).startsWith("max_completion_tokens must be a whole number");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[1]", "{\"model\":\"m\"} x", "{\"model\":\"m\", sk-secret"})
    void malformedBodies_are400InvalidJson_withoutEchoingTheBody(String body) {
        GatewayException e = refused(body);

        assertThat(e.code()).isEqualTo("invalid_json");
        assertThat(e.getMessage()).doesNotContain("sk-secret");
    }

    private static GatewayException refused(String body) {
        return assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> ChatRequest.parse(Buffer.buffer(body))).actual();
    }
}
