package dev.gatehouse.server.gateway.relay;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Handler;

/**
 * The upstream request's error handler, which can only be set before the request ends: it passes
 * errors to whichever stage owns the request at the time ({@link Failover} first, then the {@link
 * ResponsePump}). Used on the request's event loop only.
 */
final class RequestErrors implements Handler<Throwable> {
    private Handler<Throwable> target;

    RequestErrors(Handler<Throwable> initial) {
        this.target = requireNonNull(initial, "initial");
    }

    void redirect(Handler<Throwable> next) {
        target = requireNonNull(next, "next");
    }

    @Override
    public void handle(Throwable error) {
        target.handle(error);
    }
}
