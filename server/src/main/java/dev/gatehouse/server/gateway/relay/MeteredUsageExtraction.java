package dev.gatehouse.server.gateway.relay;

import dev.gatehouse.server.gateway.metering.ResponseUsage;
import dev.gatehouse.server.gateway.metering.StreamFormat;
import dev.gatehouse.server.gateway.metering.StreamUsage;
import dev.gatehouse.server.gateway.metering.Usage;
import io.vertx.core.buffer.Buffer;
import java.util.Optional;

/**
 * Usage read by the metering package: SSE responses are scanned line by line (the usage-only chunk
 * removed again when the client did not ask for it), JSON responses are tokenized as they pass.
 * Thread-safe; each tap serves one response.
 */
public final class MeteredUsageExtraction implements UsageExtraction {

    @Override
    public BodyTap newStream(StreamFormat format, boolean clientAskedForUsage, long estimatedPromptTokens,
            long completionAllowance) {
        StreamUsage stream = new StreamUsage(format, !clientAskedForUsage, StreamUsage.DEFAULT_MAX_LINE_BYTES,
                completionAllowance);
        return new BodyTap() {
            @Override
            public Buffer onChunk(Buffer chunk) {
                return stream.onChunk(chunk);
            }

            @Override
            public Buffer onEnd() {
                return stream.onEnd();
            }

            @Override
            public Optional<Usage> usage() {
                return stream.usage();
            }

            @Override
            public Optional<Usage> delivered() {
                return Optional.of(stream.billableUsage(estimatedPromptTokens));
            }

            @Override
            public boolean exhausted() {
                return stream.exhausted();
            }
        };
    }

    @Override
    public BodyTap newResponse(boolean holdBack) {
        ResponseUsage json = new ResponseUsage();
        return new BodyTap() {
            private Buffer held;

            @Override
            public Buffer onChunk(Buffer chunk) {
                json.onChunk(chunk);
                if (!holdBack) {
                    return chunk;
                }
                Buffer previous = held;
                held = chunk;
                return previous == null ? Buffer.buffer(0) : previous;
            }

            @Override
            public Buffer onEnd() {
                return held == null ? Buffer.buffer(0) : held;
            }

            @Override
            public Optional<Usage> usage() {
                return json.usage();
            }

            @Override
            public Optional<Usage> delivered() {
                return Optional.empty();
            }
        };
    }
}
