package dev.gatehouse.server.gateway;

import dev.gatehouse.server.gateway.limits.LimitExceededException;
import dev.gatehouse.server.gateway.limits.Limiter;
import dev.gatehouse.server.gateway.limits.Reservation;
import dev.gatehouse.server.gateway.metering.Caller;
import dev.gatehouse.server.gateway.metering.Usage;
import dev.gatehouse.server.gateway.metering.UsageRecord;
import dev.gatehouse.server.gateway.metering.UsageSink;
import dev.gatehouse.server.gateway.relay.UsageExtraction;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** Trivial stand-ins for gw-meter's components: a recording sink, a limiter refusing one organization, a simple usage reader. */
final class TestMetering implements UsageSink, Limiter, UsageExtraction {
    static final String BROKE_ORG = "broke";

    final ConcurrentLinkedQueue<UsageRecord> records = new ConcurrentLinkedQueue<>();
    final AtomicInteger admitted = new AtomicInteger();
    final AtomicInteger settled = new AtomicInteger();

    GatewayParts parts() {
        return new GatewayParts(this, this, this);
    }

    List<UsageRecord> recordsFor(String sandbox) {
        return records.stream().filter(r -> sandbox.equals(r.caller().sandbox())).toList();
    }

    @Override
    public void record(UsageRecord usage) {
        records.add(usage);
    }

    @Override
    public Reservation admit(Caller caller, long estimatedTokens) throws LimitExceededException {
        if (BROKE_ORG.equals(caller.organization())) {
            throw new LimitExceededException("org_daily_tokens", 42);
        }
        admitted.incrementAndGet();
        return actual -> settled.incrementAndGet();
    }

    @Override
    public Rewritten forStreaming(Buffer body) {
        JsonObject json = new JsonObject(body);
        JsonObject options = json.getJsonObject("stream_options");
        boolean asked = options != null && Boolean.TRUE.equals(options.getBoolean("include_usage"));
        json.put("stream_options", new JsonObject().put("include_usage", true));
        return new Rewritten(json.toBuffer(), asked);
    }

    @Override
    public StreamTap newStream(boolean clientAskedForUsage) {
        return new StreamTap() {
            private final StringBuilder line = new StringBuilder();
            private Usage usage;

            @Override
            public Buffer onChunk(Buffer chunk) {
                for (char c : chunk.toString(StandardCharsets.UTF_8).toCharArray()) {
                    if (c == '\n') {
                        String text = line.toString();
                        line.setLength(0);
                        if (text.startsWith("data: {") && text.contains("\"usage\"")) {
                            JsonObject u = new JsonObject(text.substring(6)).getJsonObject("usage");
                            if (u != null) {
                                usage = new Usage(u.getLong("prompt_tokens", 0L), u.getLong("completion_tokens", 0L));
                            }
                        }
                    } else if (line.length() < 4096) {
                        line.append(c);
                    }
                }
                return chunk;
            }

            @Override
            public Optional<Usage> usage() {
                return Optional.ofNullable(usage);
            }
        };
    }

    @Override
    public Optional<Usage> fromJson(Buffer responseBody) {
        try {
            JsonObject u = new JsonObject(responseBody).getJsonObject("usage");
            return u == null ? Optional.empty()
                    : Optional.of(new Usage(u.getLong("prompt_tokens", 0L), u.getLong("completion_tokens", 0L)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
