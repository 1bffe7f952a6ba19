package dev.gatehouse.server.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Usage and delivered chunks read from an OpenAI SSE stream fed in arbitrary fragments. */
class StreamUsageTest {
    private static final String CONTENT = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":"
            + "[{\"index\":0,\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}],\"usage\":null}\n\n";
    private static final String FINISH = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":"
            + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n";
    private static final String USAGE = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}\n\n";
    private static final String DONE = "data: [DONE]\n\n";
    private static final String KEEP_ALIVE = ": keep-alive\n\n";

    private static final String STREAM = CONTENT.formatted("Hel") + KEEP_ALIVE + CONTENT.formatted("lo")
            + CONTENT.formatted(" you") + FINISH + USAGE + DONE;
    private static final String WITHOUT_USAGE = STREAM.replace(USAGE, "");

    @Test
    void clientDidNotAsk_usageEventIsRemoved_everythingElsePassesUnchanged() {
        StreamUsage reader = new StreamUsage(true);

        String forwarded = feed(reader, bytes(STREAM), List.of(STREAM.length()));

        assertThat(forwarded).isEqualTo(WITHOUT_USAGE);
        assertThat(reader.usage()).contains(new Usage(9, 3));
        assertThat(reader.completionChunks()).isEqualTo(4);
        assertThat(reader.usageChunkStripped()).isTrue();
    }

    @Test
    void anySplitIntoTwoFragments_givesTheSameBytesAndUsage() {
        byte[] stream = bytes(STREAM);
        for (int split = 1; split < stream.length; split++) {
            StreamUsage reader = new StreamUsage(true);

            String forwarded = feed(reader, stream, List.of(split, stream.length - split));

            assertThat(forwarded).as("split at %d", split).isEqualTo(WITHOUT_USAGE);
            assertThat(reader.usage()).as("split at %d", split).contains(new Usage(9, 3));
            assertThat(reader.completionChunks()).isEqualTo(4);
        }
    }

    @Test
    void oneByteFragments_andRandomFragments_giveTheSameBytesAndUsage() {
        byte[] stream = bytes(STREAM);
        List<Integer> ones = new ArrayList<>();
        for (int i = 0; i < stream.length; i++) {
            ones.add(1);
        }
        StreamUsage byByte = new StreamUsage(true);
        assertThat(feed(byByte, stream, ones)).isEqualTo(WITHOUT_USAGE);
        assertThat(byByte.usage()).contains(new Usage(9, 3));

        Random random = new Random(42);
        for (int run = 0; run < 200; run++) {
            List<Integer> sizes = new ArrayList<>();
            for (int left = stream.length; left > 0; ) {
                int size = Math.min(left, 1 + random.nextInt(40));
                sizes.add(size);
                left -= size;
            }
            StreamUsage reader = new StreamUsage(true);
            assertThat(feed(reader, stream, sizes)).isEqualTo(WITHOUT_USAGE);
            assertThat(reader.usage()).contains(new Usage(9, 3));
        }
    }

    @Test
    void crlfLineEnds_splitBetweenCrAndLf_usageEventAndItsBlankLineAreRemoved() {
        String crlf = STREAM.replace("\n", "\r\n");
        byte[] stream = bytes(crlf);
        int usageEnd = crlf.indexOf(USAGE.replace("\n", "\r\n")) + USAGE.replace("\n", "\r\n").length();
        for (int split : new int[] {usageEnd - 1, usageEnd - 3, usageEnd - 4, 1}) {
            StreamUsage reader = new StreamUsage(true);

            String forwarded = feed(reader, stream, List.of(split, stream.length - split));

            assertThat(forwarded).isEqualTo(WITHOUT_USAGE.replace("\n", "\r\n"));
            assertThat(reader.usage()).contains(new Usage(9, 3));
        }
    }

    @Test
    void clientAsked_everyChunkIsForwardedAsTheSameBuffer_usageIsStillRead() {
        StreamUsage reader = new StreamUsage(false);
        byte[] stream = bytes(STREAM);
        Buffer out = Buffer.buffer();
        for (int i = 0; i < stream.length; i += 17) {
            Buffer chunk = Buffer.buffer(java.util.Arrays.copyOfRange(stream, i, Math.min(stream.length, i + 17)));
            Buffer forwarded = reader.onChunk(chunk);
            assertThat(forwarded).isSameAs(chunk);
            out.appendBuffer(forwarded);
        }
        out.appendBuffer(reader.onEnd());

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(STREAM);
        assertThat(reader.usage()).contains(new Usage(9, 3));
        assertThat(reader.usageChunkStripped()).isFalse();
    }

    @Test
    void twoMegabyteLine_inSmallFragments_isCountedAndForwardedIntact() {
        String big = CONTENT.formatted("x".repeat(2 * 1024 * 1024 + 17));
        String stream = CONTENT.formatted("a") + big + USAGE + DONE;
        StreamUsage reader = new StreamUsage(true);
        List<Integer> sizes = new ArrayList<>();
        for (int left = bytes(stream).length; left > 0; left -= Math.min(left, 65_536)) {
            sizes.add(Math.min(left, 65_536));
        }

        String forwarded = feed(reader, bytes(stream), sizes);

        assertThat(forwarded).isEqualTo(CONTENT.formatted("a") + big + DONE);
        assertThat(reader.completionChunks()).isEqualTo(2);
        assertThat(reader.usage()).contains(new Usage(9, 3));
        assertThat(reader.uninspectedLines()).isZero();
    }

    @Test
    void lineOverTheCap_passesThroughUninspected_laterUsageIsStillReadAndRemoved() {
        String big = CONTENT.formatted("y".repeat(5_000));
        String stream = CONTENT.formatted("a") + big + USAGE + DONE;
        StreamUsage reader = new StreamUsage(true, 1024);
        List<Integer> sizes = new ArrayList<>();
        for (int left = bytes(stream).length; left > 0; left -= Math.min(left, 300)) {
            sizes.add(Math.min(left, 300));
        }

        String forwarded = feed(reader, bytes(stream), sizes);

        assertThat(forwarded).isEqualTo(CONTENT.formatted("a") + big + DONE);
        assertThat(reader.uninspectedLines()).isEqualTo(1);
        assertThat(reader.completionChunks()).as("the long line is not inspected").isEqualTo(1);
        assertThat(reader.usage()).contains(new Usage(9, 3));
    }

    @Test
    void usageEventOverTheCap_isForwarded_andUsageIsUnknown() {
        String bigUsage = "data: {\"choices\":[],\"pad\":\"" + "z".repeat(2_000)
                + "\",\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3}}\n\n";
        String stream = CONTENT.formatted("a") + bigUsage + DONE;
        StreamUsage reader = new StreamUsage(true, 1024);

        String forwarded = feed(reader, bytes(stream), List.of(700, bytes(stream).length - 700));

        assertThat(forwarded).isEqualTo(stream);
        assertThat(reader.usage()).isEmpty();
        assertThat(reader.billableUsage(9)).isEqualTo(new Usage(9, 1));
    }

    @Test
    void streamCutShort_hasNoUsage_billsThePromptEstimateAndOneTokenPerDeliveredChunk() {
        String cut = CONTENT.formatted("Hel") + CONTENT.formatted("lo") + "data: {\"id\":\"c1\",\"cho";
        StreamUsage reader = new StreamUsage(true);

        String forwarded = feed(reader, bytes(cut), List.of(cut.length() - 5, 5));

        assertThat(forwarded).isEqualTo(cut);
        assertThat(reader.usage()).isEmpty();
        assertThat(reader.completionChunks()).isEqualTo(2);
        assertThat(reader.billableUsage(40)).isEqualTo(new Usage(40, 2));
    }

    @Test
    void usageOnTheLastContentEvent_isRead_andNothingIsRemoved() {
        String last = "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}\n\n";
        String stream = CONTENT.formatted("hi") + last + DONE;
        StreamUsage reader = new StreamUsage(true);

        assertThat(feed(reader, bytes(stream), List.of(stream.length()))).isEqualTo(stream);
        assertThat(reader.usage()).contains(new Usage(5, 2));
        assertThat(reader.usageChunkStripped()).isFalse();
    }

    @Test
    void lastLineWithoutLineBreak_isForwardedOnEnd() {
        String stream = USAGE + "data: [DONE]";
        StreamUsage reader = new StreamUsage(true);

        Buffer first = reader.onChunk(Buffer.buffer(stream));
        Buffer rest = reader.onEnd();

        assertThat(first.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(rest.toString(StandardCharsets.UTF_8)).isEqualTo("data: [DONE]");
        assertThat(reader.usage()).contains(new Usage(9, 3));
    }

    @Test
    void commentsAndOtherFields_passThrough_andAreNotCounted() {
        String stream = ": ping\n\nevent: message\nid: 7\nretry: 1000\ndata: not json\n\n" + DONE;
        StreamUsage reader = new StreamUsage(true);

        assertThat(feed(reader, bytes(stream), List.of(3, stream.length() - 3))).isEqualTo(stream);
        assertThat(reader.completionChunks()).isZero();
        assertThat(reader.usage()).isEmpty();
    }

    @Test
    void anAllowance_stopsBeforeTheContentEventThatWouldPassIt_atAnyFragmentation() {
        String first = CONTENT.formatted("Hel") + KEEP_ALIVE;
        String stream = first + CONTENT.formatted("lo") + CONTENT.formatted(" twelve chars") + USAGE + DONE;
        for (int split = 1; split < stream.length(); split += 7) {
            StreamUsage reader = new StreamUsage(false, StreamUsage.DEFAULT_MAX_LINE_BYTES, 2);

            String forwarded = feed(reader, bytes(stream), List.of(split, stream.length() - split));

            assertThat(forwarded).as("split at " + split).isEqualTo(first + CONTENT.formatted("lo"));
            assertThat(reader.exhausted()).isTrue();
            assertThat(reader.deliveredCompletionTokens()).isEqualTo(2);
            assertThat(reader.usage()).as("the usage event after the cut is never read").isEmpty();
            assertThat(reader.billableUsage(4)).isEqualTo(new Usage(4, 2));
        }
    }

    @Test
    void deliveredTokens_areOnePerEvent_orOnePerFourCharactersOfTextWhenMore() {
        StreamUsage reader = new StreamUsage(false);

        String stream = CONTENT.formatted("Hello") + CONTENT.formatted("x".repeat(41)) + DONE;
        feed(reader, bytes(stream), List.of(10, stream.length() - 10));

        assertThat(reader.completionChunks()).isEqualTo(2);
        assertThat(reader.deliveredCompletionTokens()).isEqualTo(1 + 10);
        assertThat(reader.exhausted()).isFalse();
    }

    private static String feed(StreamUsage reader, byte[] stream, List<Integer> sizes) {
        Buffer out = Buffer.buffer();
        int offset = 0;
        for (int size : sizes) {
            out.appendBuffer(reader.onChunk(Buffer.buffer(java.util.Arrays.copyOfRange(stream, offset, offset + size))));
            offset += size;
        }
        assertThat(offset).isEqualTo(stream.length);
        out.appendBuffer(reader.onEnd());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
