package dev.gatehouse.server.gateway.relay;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.GatewayCaller;
import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.channels.Channel;
import dev.gatehouse.server.gateway.channels.Channels;
import dev.gatehouse.server.gateway.limits.Limiter;
import dev.gatehouse.server.gateway.limits.Reservation;
import dev.gatehouse.server.http.RequestIds;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;

/**
 * The stage chain after authentication (and, with {@code gateway.usage.onStoreUnavailable: refuse},
 * a check that usage can be recorded): parse and rewrite ({@link ChatRequest}: the body decoded
 * once, capped at {@code gateway.maxRequestBytes}) → route ({@link Channels#plan}: provider, model,
 * the caller's channels) → admit ({@link Admission}, asynchronous) → relay ({@link Relay}: send
 * with failover, pump, settle). Each stage short-circuits with a {@link GatewayException}; nothing
 * is sent upstream and nothing is reserved before every earlier stage passed, and once something is
 * reserved the request is settled whatever happens. Runs on the event loop; thread-safe.
 */
public final class Pipeline {
    private final Channels channels;
    private final Admission admission;
    private final Relay relay;

    public Pipeline(Vertx vertx, Channels channels, Limiter limiter, Relay relay) {
        this.channels = requireNonNull(channels, "channels");
        this.admission = new Admission(vertx, limiter);
        this.relay = requireNonNull(relay, "relay");
    }

    /** Relays one request to {@code endpoint}; refusals are thrown or failed into {@code ctx}. */
    public void handle(RoutingContext ctx, GatewayCaller caller, Endpoint endpoint, long startNanos) {
        relay.refuseWhileUnmetered();
        ChatRequest parsed = ChatRequest.parse(endpoint, ctx.body().buffer());
        Optional<String> provider = Optional.ofNullable(ctx.queryParams().get("provider")).filter(p -> !p.isBlank());
        List<Channel> plan = channels.plan(provider, parsed.model(), caller, endpoint.servedBy());
        ChatRequest request = parsed.forPlan(plan);
        Exchange exchange = new Exchange(ctx, caller, request, plan, RequestIds.get(ctx), startNanos);
        admission.admit(caller.meter(), request.demand(plan, endpoint.producesCompletion())).onComplete(admitted -> {
            if (admitted.succeeded()) {
                forward(exchange, admitted.result());
            } else {
                ctx.fail(admitted.cause());
            }
        });
    }

    /**
     * Hands the admitted request to the relay. Should that fail before the relay took charge of it,
     * the reservation is released and the client answered: a request is never left hanging, charged.
     */
    private void forward(Exchange exchange, Reservation reservation) {
        try {
            relay.forward(exchange, reservation);
        } catch (RuntimeException e) {
            reservation.settle(0);
            exchange.ctx().fail(e);
        }
    }
}
