package dev.gatehouse.server.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Gives every request an id, echoed in {@code X-Request-Id} and in every problem body and log
 * line about the request. A caller-supplied id is kept when it is short and plain (so ids can be
 * traced across services) and replaced otherwise (so a header cannot inject into logs).
 */
public final class RequestIds implements Handler<RoutingContext> {
    public static final String HEADER = "X-Request-Id";
    private static final ContextKey<String> ID = ContextKey.named("gatehouse.requestId");
    static final int MAX_INBOUND_LENGTH = 64;
    /** 26 characters of 5 bits: the 128 random bits of a generated id, and two more. */
    static final int GENERATED_LENGTH = 26;
    private static final char[] BASE32 = "0123456789abcdefghijklmnopqrstuv".toCharArray();

    @Override
    public void handle(RoutingContext ctx) {
        String inbound = ctx.request().getHeader(HEADER);
        String id = inbound != null && isPlain(inbound) ? inbound : generate();
        ID.put(ctx, id);
        ctx.response().putHeader(HEADER, id);
        ctx.next();
    }

    public static String get(RoutingContext ctx) {
        return ID.get(ctx);
    }

    /** 1 to 64 of {@code A-Z a-z 0-9 . _ : -}: safe in a log line and a header as it is. */
    static boolean isPlain(String id) {
        int length = id.length();
        if (length == 0 || length > MAX_INBOUND_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!plain) {
                return false;
            }
        }
        return true;
    }

    /** 128 random bits in base 32: shifts and a table, no division or intermediate strings (it runs on every request). */
    static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = random.nextLong();
        long low = random.nextLong();
        byte[] id = new byte[GENERATED_LENGTH];
        for (int i = 0; i < 12; i++) {
            id[i] = (byte) BASE32[(int) (high >>> (59 - 5 * i)) & 31];
            id[13 + i] = (byte) BASE32[(int) (low >>> (59 - 5 * i)) & 31];
        }
        id[12] = (byte) BASE32[(int) (high << 1) & 31];
        id[25] = (byte) BASE32[(int) (low << 1) & 31];
        return new String(id, StandardCharsets.US_ASCII);
    }
}
