package dev.gatehouse.server.gateway.relay;

import dev.gatehouse.server.gateway.metering.StreamFormat;

/**
 * The relay's seam to the metering package: a fresh {@link BodyTap} for each response.
 * Implementations are thread-safe; nothing here may block.
 */
public interface UsageExtraction {

    /**
     * A tap for one SSE response.
     *
     * @param format the protocol whose events carry the usage
     * @param clientAskedForUsage whether the client will see the usage-only chunk ({@link
     *     ChatRequest#clientAskedForUsage})
     * @param estimatedPromptTokens billed as the prompt when the stream ends without a usage chunk
     * @param completionAllowance completion tokens a budget leaves the request ({@code
     *     Long.MAX_VALUE}: no budget applies); content past it is held back ({@link BodyTap#exhausted()})
     */
    BodyTap newStream(StreamFormat format, boolean clientAskedForUsage, long estimatedPromptTokens, long completionAllowance);

    /**
     * A tap for one JSON (non-SSE) response.
     *
     * @param holdBack write each chunk one chunk late, so that a body arriving in one piece leaves
     *     in one write together with its end
     */
    BodyTap newResponse(boolean holdBack);
}
