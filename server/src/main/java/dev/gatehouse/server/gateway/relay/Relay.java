package dev.gatehouse.server.gateway.relay;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.GatewayConfig;
import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.limits.Reservation;
import dev.gatehouse.server.gateway.metering.Outcome;
import dev.gatehouse.server.gateway.metering.UsageSink;
import dev.gatehouse.server.gateway.metrics.ChannelMetrics;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.util.Optional;

/**
 * The coordinator of one admitted request's stages: {@link Failover} sends it, {@link ResponsePump}
 * relays the first usable response, {@link Settlement} ends it exactly once. The relay itself only
 * wires them and handles the client leaving, which can happen at any point: the request is then
 * settled as aborted (499, with what was delivered) and the upstream request reset.
 * Never blocks; thread-safe (per-request state lives in the stages), with {@link #forward} called on
 * the request's event loop, where its timers are set.
 */
public final class Relay {
    private final GatewayConfig config;
    private final UsageExtraction usage;
    private final UsageSink sink;
    private final ChannelMetrics metrics;
    private final Clock clock;

    public Relay(GatewayConfig config, UsageExtraction usage, UsageSink sink, ChannelMetrics metrics,
            Clock clock) {
        this.config = requireNonNull(config, "config");
        this.usage = requireNonNull(usage, "usage");
        this.sink = requireNonNull(sink, "sink");
        this.metrics = requireNonNull(metrics, "metrics");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Refuses a new request while its usage could not be recorded and the sink is configured to
     * refuse rather than leave it unmetered ({@code gateway.usage.onStoreUnavailable: refuse}).
     *
     * @throws GatewayException 503 {@code usage_store_unavailable}, {@code Retry-After: 1}
     */
    void refuseWhileUnmetered() {
        if (!sink.acceptsNewRequests()) {
            throw new GatewayException(503, "api_error", "usage_store_unavailable",
                    "Usage cannot be recorded right now; retry shortly.", null, 1);
        }
    }

    /**
     * Forwards {@code exchange}; answers the client and settles {@code reservation} in every case.
     *
     * @throws IllegalStateException if not called on the request's event loop
     */
    void forward(Exchange exchange, Reservation reservation) {
        Settlement settlement = Settlement.of(exchange, reservation, sink, metrics, clock);
        HttpServerResponse response = exchange.ctx().response();
        if (response.closed()) {
            settlement.finish(Outcome.ABORTED, 499, Optional.empty());
            return;
        }
        LoopTimers timers = LoopTimers.ofCurrentContext();
        ResponsePump pump = new ResponsePump(timers, config, metrics, usage, exchange, settlement);
        Failover failover = new Failover(timers, config, metrics, exchange, settlement, pump::relay);
        Runnable clientGone = () -> {
            if (settlement.isDone()) {
                return;
            }
            settlement.finish(Outcome.ABORTED, 499, pump.delivered());
            pump.cancelIdle();
            failover.abandon();
        };
        response.closeHandler(v -> clientGone.run());
        response.exceptionHandler(e -> clientGone.run());
        failover.start();
    }
}
