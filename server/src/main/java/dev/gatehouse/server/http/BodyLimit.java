package dev.gatehouse.server.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Refuses a request whose declared {@code Content-Length} exceeds the limit before any of its body
 * is read. Bodies without a length (chunked) are bounded where they are read: by the body handler
 * on routes that buffer, and by the streaming stage's own cap on routes that stream.
 */
public final class BodyLimit implements Handler<RoutingContext> {
    private final long maxBodyBytes;
    private final List<String> exemptPrefixes;

    public BodyLimit(long maxBodyBytes) {
        this(maxBodyBytes, List.of());
    }

    /** @param exemptPrefixes path prefixes whose routes apply a limit of their own */
    public BodyLimit(long maxBodyBytes, List<String> exemptPrefixes) {
        this.maxBodyBytes = maxBodyBytes;
        this.exemptPrefixes = List.copyOf(exemptPrefixes);
    }

    @Override
    public void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        for (String prefix : exemptPrefixes) {
            if (path.startsWith(prefix)) {
                ctx.next();
                return;
            }
        }
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
