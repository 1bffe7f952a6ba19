package dev.gatehouse.server.gateway;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.limits.Limiter;
import dev.gatehouse.server.gateway.metering.UsageSink;
import dev.gatehouse.server.gateway.relay.UsageExtraction;
import io.vertx.core.buffer.Buffer;
import java.util.Optional;

/**
 * The gateway's metering and limit collaborators, injected into the relay (ISSUE4: gw-meter
 * implements them; the integrator passes the real ones to {@code Gatehouse.start}).
 *
 * @param limiter admits requests; must not block
 * @param usageSink takes one record per request; must not block
 * @param usageExtraction reads usage from responses and rewrites streaming requests
 */
public record GatewayParts(Limiter limiter, UsageSink usageSink, UsageExtraction usageExtraction) {
    public GatewayParts {
        requireNonNull(limiter, "limiter");
        requireNonNull(usageSink, "usageSink");
        requireNonNull(usageExtraction, "usageExtraction");
    }

    /**
     * Placeholders until gw-meter's components are wired: every request admitted, usage records
     * dropped, bodies passed through untouched and no usage read.
     */
    public static GatewayParts unmetered() {
        return new GatewayParts((caller, estimated) -> actual -> {}, usage -> {}, new UsageExtraction() {
            @Override
            public Rewritten forStreaming(Buffer body) {
                return new Rewritten(body, true);
            }

            @Override
            public StreamTap newStream(boolean clientAskedForUsage) {
                return new StreamTap() {
                    @Override
                    public Buffer onChunk(Buffer chunk) {
                        return chunk;
                    }

                    @Override
                    public Optional<dev.gatehouse.server.gateway.metering.Usage> usage() {
                        return Optional.empty();
                    }
                };
            }

            @Override
            public Optional<dev.gatehouse.server.gateway.metering.Usage> fromJson(Buffer responseBody) {
                return Optional.empty();
            }
        });
    }
}
