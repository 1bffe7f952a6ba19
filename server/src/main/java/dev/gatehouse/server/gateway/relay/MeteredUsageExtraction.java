package dev.gatehouse.server.gateway.relay;

import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.metering.InvalidRequestBodyException;
import dev.gatehouse.server.gateway.metering.ResponseUsage;
import dev.gatehouse.server.gateway.metering.StreamUsage;
import dev.gatehouse.server.gateway.metering.Usage;
import dev.gatehouse.server.gateway.metering.UsageRequestRewriter;
import io.vertx.core.buffer.Buffer;
import java.util.Optional;

/**
 * The relay's usage extraction on top of the metering package: streaming requests ask the
 * upstream for its usage chunk, SSE responses are scanned line by line (and the usage-only chunk
 * removed again when the client did not ask for it), JSON responses are tokenized as they pass.
 * Thread-safe; each tap serves one response.
 */
public final class MeteredUsageExtraction implements UsageExtraction {
    private final long maxRequestBytes;

    public MeteredUsageExtraction(long maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    public Rewritten forStreaming(Buffer body) {
        try {
            UsageRequestRewriter.Rewritten rewritten = UsageRequestRewriter.forStreaming(body, maxRequestBytes);
            return new Rewritten(rewritten.body(), rewritten.clientAskedForUsage());
        } catch (InvalidRequestBodyException e) {
            throw new GatewayException(e.status(), "invalid_request_error", e.code(), e.getMessage(), e.param(), -1);
        }
    }

    @Override
    public StreamTap newStream(boolean clientAskedForUsage, long estimatedPromptTokens) {
        StreamUsage stream = new StreamUsage(!clientAskedForUsage);
        return new StreamTap() {
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
            public Usage deliveredUsage() {
                return stream.billableUsage(estimatedPromptTokens);
            }
        };
    }

    @Override
    public ResponseUsage newResponse() {
        return new ResponseUsage();
    }
}
