package dev.gatehouse.server.gateway.relay;

import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.TimeUnit;

/**
 * One-shot timers on the event loop of the request being relayed: its first-byte and idle
 * timeouts, two per request. They go to the context's Netty event loop directly, because {@link
 * Vertx#setTimer} also enters every timer in a map shared by all event loops and in the context's
 * close hooks, which took 2.2 % of the event loops' samples at saturation for the two
 * (bench/README.md, run 20). The task still runs on the request's context, as a Vert.x timer's
 * handler would. Cancel a timer with {@code cancel(false)}; cancelling one that ran does nothing.
 * Unlike a Vert.x timer, one is not cancelled when its context closes (an undeployed verticle), only
 * when the event loop shuts down: the relay cancels its own when the request settles or the client
 * leaves, which closing the HTTP server brings about. {@code ContextInternal} is Vert.x's internal API
 * (as vertx-web and vertx-http-proxy use it); this is the one class here that does.
 */
final class LoopTimers {
    private final ContextInternal context;

    private LoopTimers(ContextInternal context) {
        this.context = context;
    }

    /**
     * The timers of the calling thread's event-loop context (the request's).
     *
     * @throws IllegalStateException if the caller is not an event loop running an event-loop context
     */
    static LoopTimers ofCurrentContext() {
        Context context = Vertx.currentContext();
        // Blocking code run from an event-loop context sees that context, on a worker thread.
        if (context == null || !context.isEventLoopContext() || !Context.isOnEventLoopThread()) {
            throw new IllegalStateException("a relay's timers are set on its request's event loop; called on "
                    + Thread.currentThread().getName());
        }
        return new LoopTimers((ContextInternal) context);
    }

    /** Runs {@code task} on the context once {@code delayNanos} have passed, unless the timer is cancelled first. */
    ScheduledFuture<?> schedule(long delayNanos, Runnable task) {
        return context.nettyEventLoop().schedule(() -> context.emit(ignored -> task.run()), delayNanos,
                TimeUnit.NANOSECONDS);
    }
}
