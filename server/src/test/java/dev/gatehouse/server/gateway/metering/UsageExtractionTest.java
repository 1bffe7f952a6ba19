package dev.gatehouse.server.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Usage from non-streaming response bodies. */
class UsageExtractionTest {

    @Test
    void chatCompletion_usageIsPromptAndCompletionTokens() {
        String body = """
                {"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant",
                "content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":34,
                "total_tokens":46}}""";

        assertThat(usageOf(body)).contains(new Usage(12, 34));
    }

    @Test
    void embeddings_haveOnlyPromptTokens_completionIsZero() {
        String body = """
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],
                "model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}""";

        assertThat(usageOf(body)).contains(new Usage(8, 0));
    }

    @Test
    void bodiesWithoutUsableUsage_giveNothing_neverThrow() {
        assertThat(usageOf("{\"choices\":[]}")).isEmpty();
        assertThat(usageOf("{\"usage\":null}")).isEmpty();
        assertThat(usageOf("{\"usage\":[1]}")).isEmpty();
        assertThat(usageOf("{\"usage\":{\"prompt_tokens\":-1}}")).isEmpty();
        assertThat(usageOf("{\"usage\":{\"prompt_tokens\":1.5}}")).isEmpty();
        assertThat(usageOf("{\"usage\":{\"prompt_tokens\":\"3\"}}")).isEmpty();
        assertThat(usageOf("{\"usage\":{\"prompt_tokens\":99999999999999999999999}}")).isEmpty();
        assertThat(usageOf("[1,2]")).isEmpty();
        assertThat(usageOf("{\"usage\":")).isEmpty();
        assertThat(usageOf("{\"usage\":{\"prompt_tokens\":3}")).isEmpty();
        assertThat(usageOf("<html>bad gateway</html>")).isEmpty();
        assertThat(usageOf("")).isEmpty();
    }

    @Test
    void aNullCompletionCount_isAbsent_asInAStreamsUsageChunk() {
        String body = "{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":null}}";

        assertThat(usageOf(body)).contains(new Usage(3, 0));
        assertThat(Usage.fromResponse(new JsonObject(body))).contains(new Usage(3, 0));
    }

    @Test
    void onlyTheTopLevelUsageCounts_andTheLastOneWins() {
        assertThat(usageOf("{\"choices\":[{\"usage\":{\"prompt_tokens\":1}}],\"x\":{\"usage\":{\"prompt_tokens\":2}}}"))
                .isEmpty();
        assertThat(usageOf("{\"usage\":{\"prompt_tokens\":1},\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":3}}"))
                .contains(new Usage(2, 3));
        assertThat(usageOf("{\"usage\":{\"prompt_tokens\":2,\"details\":{\"prompt_tokens\":-5}},\"usage_x\":1}"))
                .contains(new Usage(2, 0));
        assertThat(usageOf("{\"usage\":{\"prompt_tokens\":4.0,\"completion_tokens\":1e1}}")).contains(new Usage(4, 10));
    }

    @Test
    void fedInTinyChunks_findsTheSameUsage() {
        String body = "{\"choices\":[{\"text\":\"usage \\\" }\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}";
        ResponseUsage usage = new ResponseUsage();
        for (int i = 0; i < body.length(); i += 3) {
            usage.onChunk(Buffer.buffer(body.substring(i, Math.min(body.length(), i + 3))));
        }

        assertThat(usage.usage()).contains(new Usage(3, 4));
    }

    @Test
    void aBodyOfManyMegabytes_isReadExactly_withUsageFirstOrLast() {
        Buffer numbers = Buffer.buffer("0.0123456789,".repeat(80_000));
        for (boolean usageFirst : new boolean[] {true, false}) {
            ResponseUsage usage = new ResponseUsage();
            String usageMember = "\"usage\":{\"prompt_tokens\":4096,\"total_tokens\":4096}";
            usage.onChunk(Buffer.buffer("{" + (usageFirst ? usageMember + "," : "") + "\"data\":[{\"embedding\":["));
            for (int i = 0; i < 12; i++) { // ~12 MB
                usage.onChunk(numbers);
            }
            usage.onChunk(Buffer.buffer("1.0]}],\"model\":\"m\"" + (usageFirst ? "" : "," + usageMember) + "}"));

            assertThat(usage.usage()).as("usage first: %s", usageFirst).contains(new Usage(4096, 0));
        }
    }

    /** The usage of {@code body} fed whole, in halves and byte by byte; fails unless all three agree. */
    private static Optional<Usage> usageOf(String body) {
        Optional<Usage> whole = usageOf(body, Math.max(1, body.length()));
        assertThat(usageOf(body, Math.max(1, (body.length() + 1) / 2))).as("in halves: %s", body).isEqualTo(whole);
        assertThat(usageOf(body, 1)).as("byte by byte: %s", body).isEqualTo(whole);
        return whole;
    }

    private static Optional<Usage> usageOf(String body, int chunkSize) {
        ResponseUsage usage = new ResponseUsage();
        for (int i = 0; i < body.length(); i += chunkSize) {
            usage.onChunk(Buffer.buffer(body.substring(i, Math.min(body.length(), i + chunkSize))));
        }
        return usage.usage();
    }
}
