package dev.gatehouse.server.gateway.relay;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.GatewayCaller;
import dev.gatehouse.server.gateway.channels.Channel;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * One admitted gateway request, as the stages before the relay left it: who calls, the parsed and
 * rewritten body, the channels to try (best first) and where on each to send it. Immutable; what
 * changes while the request runs lives in the stage that owns it ({@link Failover}, {@link
 * ResponsePump}, {@link Settlement}).
 *
 * @param plan unmodifiable, as {@code Channels.plan} returns it (not copied: this is the hot path)
 * @param requestId echoed upstream and in the usage record; may be {@code null}
 * @param startNanos when the request arrived ({@link System#nanoTime()})
 */
record Exchange(RoutingContext ctx, GatewayCaller caller, ChatRequest request, List<Channel> plan, String requestId,
        long startNanos) {
    Exchange {
        requireNonNull(ctx, "ctx");
        requireNonNull(caller, "caller");
        requireNonNull(request, "request");
        requireNonNull(plan, "plan");
    }

    Endpoint endpoint() {
        return request.endpoint();
    }

    /** Appended to {@code channel}'s base URL: the endpoint's path, or chat completions when translated. */
    String upstreamPath(Channel channel) {
        return request.translatedFor(channel) ? Endpoint.CHAT.upstreamPath() : endpoint().upstreamPath();
    }
}
