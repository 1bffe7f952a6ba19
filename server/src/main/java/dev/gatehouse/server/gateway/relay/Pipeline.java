package dev.gatehouse.server.gateway.relay;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.GatewayCaller;
import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.channels.Channel;
import dev.gatehouse.server.gateway.channels.Channels;
import dev.gatehouse.server.gateway.limits.LimitExceededException;
import dev.gatehouse.server.gateway.limits.Limiter;
import dev.gatehouse.server.gateway.limits.Reservation;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;

/**
 * The relay chain after authentication: read ({@link ChatRequest}: model, stream; the body is capped
 * at {@code gateway.maxRequestBytes}) → route ({@link Channels#plan}: provider, model, the caller's
 * channels) → limit ({@link Limiter#admit}) → forward and meter ({@link Relay}). Each stage
 * short-circuits with a {@link GatewayException}; nothing is sent upstream and nothing is reserved
 * before every earlier stage passed. Runs on the event loop; thread-safe.
 */
public final class Pipeline {
    private final Vertx vertx;
    private final Channels channels;
    private final Limiter limiter;
    private final Relay relay;

    public Pipeline(Vertx vertx, Channels channels, Limiter limiter, Relay relay) {
        this.vertx = requireNonNull(vertx, "vertx");
        this.channels = requireNonNull(channels, "channels");
        this.limiter = requireNonNull(limiter, "limiter");
        this.relay = requireNonNull(relay, "relay");
    }

    /** @param upstreamPath appended to the channel's base URL, e.g. {@code /chat/completions} */
    public void handle(RoutingContext ctx, GatewayCaller caller, String upstreamPath, long startNanos) {
        ChatRequest request = ChatRequest.parse(ctx.body().buffer());
        Optional<String> provider = Optional.ofNullable(ctx.queryParams().get("provider")).filter(p -> !p.isBlank());
        List<Channel> plan = channels.plan(provider, request.model(), caller);
        if (!limiter.isBlocking()) {
            forward(ctx, caller, request, upstreamPath, plan, admit(caller, request), startNanos);
            return;
        }
        // A token budget is checked in the store: off the event loop.
        vertx.executeBlocking(() -> admit(caller, request), false).onComplete(admitted -> {
            if (admitted.succeeded()) {
                forward(ctx, caller, request, upstreamPath, plan, admitted.result(), startNanos);
            } else {
                ctx.fail(admitted.cause());
            }
        });
    }

    /**
     * Hands the admitted request to the relay. Should that fail before the relay took charge of it,
     * the reservation is released and the client answered: a request is never left hanging, charged.
     */
    private void forward(RoutingContext ctx, GatewayCaller caller, ChatRequest request, String upstreamPath,
            List<Channel> plan, Reservation reservation, long startNanos) {
        try {
            relay.forward(ctx, caller, request, upstreamPath, plan, reservation, startNanos);
        } catch (RuntimeException e) {
            reservation.settle(0);
            ctx.fail(e);
        }
    }

    private Reservation admit(GatewayCaller caller, ChatRequest request) {
        try {
            return limiter.admit(caller.meter(), request.estimatedTokens());
        } catch (LimitExceededException e) {
            return refuse(e);
        }
    }

    private static Reservation refuse(LimitExceededException e) {
        if (e.isBudget()) {
            throw new GatewayException(429, "insufficient_quota", "insufficient_quota",
                    "Token budget exhausted (" + e.limit() + ").", null,
                    e.retryable() ? Math.max(0, e.retryAfterSeconds()) : -1);
        }
        throw new GatewayException(429, "rate_limit_error", "rate_limit_exceeded",
                "Rate limit exceeded (" + e.limit() + ").", null, Math.max(0, e.retryAfterSeconds()));
    }
}
