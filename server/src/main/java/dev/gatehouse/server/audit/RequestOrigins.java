package dev.gatehouse.server.audit;

import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.http.RequestIds;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * The {@link RequestOrigin} of an HTTP request: the connection's peer address and the request id.
 * {@code X-Forwarded-For} is deliberately ignored: without a configured trusted proxy any client
 * could write into it.
 */
public final class RequestOrigins {
    private RequestOrigins() {}

    public static RequestOrigin of(RoutingContext ctx) {
        SocketAddress remote = ctx.request().remoteAddress();
        return new RequestOrigin(Optional.ofNullable(remote == null ? null : remote.hostAddress()),
                Optional.ofNullable(RequestIds.get(ctx)));
    }
}
