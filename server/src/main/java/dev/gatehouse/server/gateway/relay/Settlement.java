package dev.gatehouse.server.gateway.relay;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.ModelPrice;
import dev.gatehouse.server.gateway.channels.Channel;
import dev.gatehouse.server.gateway.limits.Reservation;
import dev.gatehouse.server.gateway.metering.Caller;
import dev.gatehouse.server.gateway.metering.Outcome;
import dev.gatehouse.server.gateway.metering.Usage;
import dev.gatehouse.server.gateway.metering.UsageRecord;
import dev.gatehouse.server.gateway.metering.UsageSink;
import dev.gatehouse.server.gateway.metrics.ChannelMetrics;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The finish stage: ends one request exactly once, whichever of its paths gets there first (the
 * response ended, the upstream broke or went idle, the client left, every channel failed). It
 * settles the {@link Reservation} with the tokens used, writes the one {@link UsageRecord}, and
 * records the request against the last channel tried, with its spend at that channel's price. A
 * completed response that reported no usage is charged the request's estimate; a failed or aborted
 * one without usage is charged nothing.
 * Used on the request's event loop only; a metering failure is logged, never thrown at the caller.
 */
final class Settlement {
    private static final Logger log = LoggerFactory.getLogger(Settlement.class);
    private static final Usage NONE = new Usage(0, 0);

    private final Caller meter;
    private final ChatRequest request;
    private final String requestId;
    private final long startNanos;
    private final Reservation reservation;
    private final UsageSink sink;
    private final ChannelMetrics metrics;
    private final Clock clock;
    private Channel lastTried;
    private boolean done;

    static Settlement of(Exchange exchange, Reservation reservation, UsageSink sink, ChannelMetrics metrics,
            Clock clock) {
        return new Settlement(exchange.caller().meter(), exchange.request(), exchange.requestId(),
                exchange.startNanos(), reservation, sink, metrics, clock);
    }

    /**
     * @param requestId may be {@code null}
     * @param startNanos when the request arrived ({@link System#nanoTime()})
     */
    Settlement(Caller meter, ChatRequest request, String requestId, long startNanos, Reservation reservation,
            UsageSink sink, ChannelMetrics metrics, Clock clock) {
        this.meter = requireNonNull(meter, "meter");
        this.request = requireNonNull(request, "request");
        this.requestId = requestId;
        this.startNanos = startNanos;
        this.reservation = requireNonNull(reservation, "reservation");
        this.sink = requireNonNull(sink, "sink");
        this.metrics = requireNonNull(metrics, "metrics");
        this.clock = requireNonNull(clock, "clock");
    }

    /** {@code channel} is being tried: the request is recorded against the last one. */
    void tried(Channel channel) {
        lastTried = requireNonNull(channel, "channel");
    }

    /** The completion tokens the request's budget leaves it ({@link Reservation#completionAllowance()}). */
    long completionAllowance() {
        return reservation.completionAllowance();
    }

    boolean isDone() {
        return done;
    }

    /**
     * Ends the request; only the first call counts.
     *
     * @param status the HTTP status the client was sent (499 when it left)
     * @param used the usage the upstream reported or, for an aborted stream, what it delivered
     * @return when the client's response may end ({@link UsageSink#record}); completed for every
     *     call but the first, and when metering failed (that failure is logged here)
     */
    CompletionStage<Void> finish(Outcome outcome, int status, Optional<Usage> used) {
        if (done) {
            return UsageSink.RECORDED;
        }
        done = true;
        long durationNanos = System.nanoTime() - startNanos;
        Usage recorded = used.orElse(NONE);
        Usage charged = used.isPresent() || outcome != Outcome.COMPLETED ? recorded
                : new Usage(request.estimatedPromptTokens(), request.maxOutputTokens());
        Optional<ModelPrice> price = lastTried == null ? Optional.empty() : lastTried.config().price(request.model());
        String channel = lastTried == null ? "" : lastTried.name();
        long prompt = recorded.promptTokens();
        long completion = recorded.completionTokens();
        try {
            reservation.settle(charged.totalTokens(), spendMicros(price, charged));
            CompletionStage<Void> stored = sink.record(new UsageRecord(clock.instant(), requestId, meter, channel,
                    request.model(), prompt, completion, outcome, status, durationNanos / 1_000_000,
                    spendMicros(price, recorded)));
            if (lastTried != null) {
                metrics.finished(lastTried, request.model(), outcome, status, prompt, completion,
                        durationNanos);
            }
            return stored;
        } catch (RuntimeException e) {
            log.atWarn().setCause(e).log("metering a gateway request failed");
            return UsageSink.RECORDED;
        }
    }

    private static long spendMicros(Optional<ModelPrice> price, Usage usage) {
        return price.isEmpty() ? 0 : price.get().spendMicros(usage.promptTokens(), usage.completionTokens());
    }
}
