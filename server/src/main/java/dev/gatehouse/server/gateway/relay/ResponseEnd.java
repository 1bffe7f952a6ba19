package dev.gatehouse.server.gateway.relay;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The last step of a relayed response: its end (the last bytes held back, and the end of the body
 * or stream) is sent once the request's usage record is as durable as the sink promises — at once
 * by default, after the record's commit with {@code gateway.usage.durability: strict}. If the
 * record will not be durable, the response is reset instead of ended: the client never receives a
 * complete response whose usage a crash could lose. Used on the request's event loop only.
 */
final class ResponseEnd {
    private ResponseEnd() {}

    /** Ends {@code out} with {@code last} once {@code recorded} completes; on the calling event loop. */
    static void after(CompletionStage<Void> recorded, HttpServerResponse out, Buffer last) {
        CompletableFuture<Void> durable = recorded.toCompletableFuture();
        if (durable.isDone() && !durable.isCompletedExceptionally()) {
            end(out, last);
            return;
        }
        Context context = Vertx.currentContext();
        recorded.whenComplete((ignored, error) -> context.runOnContext(v -> {
            if (error == null) {
                end(out, last);
            } else {
                out.reset();
            }
        }));
    }

    private static void end(HttpServerResponse out, Buffer last) {
        if (out.closed()) {
            return;
        }
        if (last.length() > 0) {
            out.end(last);
        } else {
            out.end();
        }
    }
}
