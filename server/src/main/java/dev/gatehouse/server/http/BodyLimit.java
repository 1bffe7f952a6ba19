package dev.gatehouse.server.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses a request whose declared {@code Content-Length} exceeds the limit before any of its body
 * is read. Bodies without a length (chunked) are bounded where they are read: by the body handler
 * on routes that buffer, and by the streaming stage's own cap on routes that stream.
 */
public final class BodyLimit implements Handler<RoutingContext> {
    private final long maxBodyBytes;

    public BodyLimit(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String declared = ctx.request().getHeader("Content-Length");
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                ctx.fail(new ApiException(400, "bad_request", "Content-Length is not a number."));
                return;
            }
            if (length > maxBodyBytes) {
                ctx.fail(new ApiException(413, "body_too_large",
                        "Request body exceeds the limit of " + maxBodyBytes + " bytes."));
                return;
            }
        }
        ctx.next();
    }
}
