package dev.gatehouse.server.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Gives every request an id, echoed in {@code X-Request-Id} and in every problem body and log
 * line about the request. A caller-supplied id is kept when it is short and plain (so ids can be
 * traced across services) and replaced otherwise (so a header cannot inject into logs).
 */
public final class RequestIds implements Handler<RoutingContext> {
    public static final String HEADER = "X-Request-Id";
    private static final ContextKey<String> ID = ContextKey.named("gatehouse.requestId");
    private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    @Override
    public void handle(RoutingContext ctx) {
        String inbound = ctx.request().getHeader(HEADER);
        String id = inbound != null && ACCEPTED.matcher(inbound).matches() ? inbound : generate();
        ID.put(ctx, id);
        ctx.response().putHeader(HEADER, id);
        ctx.next();
    }

    public static String get(RoutingContext ctx) {
        return ID.get(ctx);
    }

    private static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toUnsignedString(random.nextLong(), 36) + Long.toUnsignedString(random.nextLong(), 36);
    }
}
