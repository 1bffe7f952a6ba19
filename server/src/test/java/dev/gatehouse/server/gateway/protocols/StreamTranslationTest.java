package dev.gatehouse.server.gateway.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.gateway.protocols.anthropic.MessagesStream;
import dev.gatehouse.server.gateway.protocols.responses.ResponsesStream;
import io.vertx.core.buffer.Buffer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Stream translators read a chat stream fragmented anywhere, CRLF or LF, exactly as if it came whole. */
class StreamTranslationTest {
    private static final String CHAT_STREAM = ": keep-alive\r\n\r\n"
            + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hé\"},\"finish_reason\":null}]}\r\n\r\n"
            + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"llo\"},\"finish_reason\":\"length\"}]}\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}\n\n"
            + "data: [DONE]\n\n";

    private static String whole(ResponseTranslator translator) {
        return translator.onChunk(Buffer.buffer(CHAT_STREAM)).appendBuffer(translator.onEnd()).toString();
    }

    private static String byteByByte(ResponseTranslator translator) {
        Buffer out = Buffer.buffer();
        byte[] bytes = Buffer.buffer(CHAT_STREAM).getBytes();
        for (byte b : bytes) {
            out.appendBuffer(translator.onChunk(Buffer.buffer(new byte[] {b})));
        }
        return out.appendBuffer(translator.onEnd()).toString();
    }

    @Test
    void anthropic_fragmentedAnywhere_translatesAsWhole_stopReasonAndUsageInMessageDelta() {
        assertThat(byteByByte(new MessagesStream("m"))).isEqualTo(whole(new MessagesStream("m")));
        String events = whole(new MessagesStream("m"));
        assertThat(events).startsWith(": keep-alive\n\nevent: message_start\n")
                .contains("\"text\":\"Hé\"", "\"stop_reason\":\"max_tokens\"", "\"usage\":{\"input_tokens\":5,\"output_tokens\":2}")
                .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    }

    @Test
    void responses_fragmentedAnywhere_translatesAsWhole_lengthIsIncomplete() {
        Supplier<ResponseTranslator> translator = () -> new ResponsesStream("m");
        assertThat(byteByByte(translator.get()).replaceAll("\"created_at\":\\d+", ""))
                .isEqualTo(whole(translator.get()).replaceAll("\"created_at\":\\d+", ""));
        String events = whole(new ResponsesStream("m"));
        assertThat(events).contains("event: response.output_text.done\n", "\"text\":\"Héllo\"",
                "\"incomplete_details\":{\"reason\":\"max_output_tokens\"}").contains("event: response.incomplete\n");
    }
}
