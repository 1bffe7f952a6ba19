package dev.gatehouse.server.gateway.relay;

import dev.gatehouse.server.gateway.metering.StreamFormat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.gateway.metering.Usage;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The pump's body taps: what reaches the client when, and the usage read on the way. */
class BodyTapTest {
    private final MeteredUsageExtraction extraction = new MeteredUsageExtraction();

    @Test
    void aJsonBodyHeldBack_leavesOneChunkLate_andTheLastWithTheEnd() {
        BodyTap tap = extraction.newResponse(true);

        assertThat(tap.onChunk(Buffer.buffer("{\"usage\":{\"prompt_tokens\":2,")).length()).isZero();
        assertThat(tap.onChunk(Buffer.buffer("\"completion_tokens\":1}")).toString()).isEqualTo("{\"usage\":{\"prompt_tokens\":2,");
        assertThat(tap.onChunk(Buffer.buffer("}")).toString()).isEqualTo("\"completion_tokens\":1}");
        assertThat(tap.onEnd().toString()).isEqualTo("}");
        assertThat(tap.usage()).contains(new Usage(2, 1));
        assertThat(tap.delivered()).isEmpty();
    }

    @Test
    void aJsonBodyNotHeldBack_passesEachChunkAtOnce() {
        BodyTap tap = extraction.newResponse(false);

        assertThat(tap.onChunk(Buffer.buffer("{\"error\":")).toString()).isEqualTo("{\"error\":");
        assertThat(tap.onChunk(Buffer.buffer("{}}")).toString()).isEqualTo("{}}");
        assertThat(tap.onEnd().length()).isZero();
    }

    @Test
    void aStreamTheClientDidNotAskUsageFor_losesTheUsageChunk_butIsMeteredByIt() {
        BodyTap tap = extraction.newStream(StreamFormat.OPENAI_CHAT, false, 7, Long.MAX_VALUE);
        String content = "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n";
        String usage = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4}}\n\n";

        String forwarded = tap.onChunk(Buffer.buffer(content + usage + "data: [DONE]\n\n")).toString() + tap.onEnd();

        assertThat(forwarded).isEqualTo(content + "data: [DONE]\n\n");
        assertThat(tap.usage()).contains(new Usage(9, 4));
    }

    @Test
    void aStreamCutShort_deliversAnEstimate() {
        BodyTap tap = extraction.newStream(StreamFormat.OPENAI_CHAT, true, 7, Long.MAX_VALUE);

        tap.onChunk(Buffer.buffer("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n"));

        assertThat(tap.usage()).isEmpty();
        assertThat(tap.delivered()).hasValueSatisfying(usage -> assertThat(usage.promptTokens()).isEqualTo(7));
    }
}
