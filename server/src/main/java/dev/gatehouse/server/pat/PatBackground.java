package dev.gatehouse.server.pat;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic work behind personal access tokens on a running replica: polling the store for
 * revocations made elsewhere and flushing recorded last uses. Each runs off the event loop, one
 * run at a time (a run still going when the next is due is skipped). {@link #stop()} cancels both
 * and flushes the last uses a final time.
 */
public final class PatBackground {
    private static final Logger log = LoggerFactory.getLogger(PatBackground.class);

    private final Vertx vertx;
    private final LastUsedTracker lastUsed;
    private final long pollTimer;
    private final long flushTimer;

    private PatBackground(Vertx vertx, LastUsedTracker lastUsed, long pollTimer, long flushTimer) {
        this.vertx = vertx;
        this.lastUsed = lastUsed;
        this.pollTimer = pollTimer;
        this.flushTimer = flushTimer;
    }

    public static PatBackground start(Vertx vertx, PatConfig config, RevokedTokens revoked, LastUsedTracker lastUsed) {
        requireNonNull(vertx, "vertx");
        requireNonNull(config, "config");
        requireNonNull(revoked, "revoked");
        requireNonNull(lastUsed, "lastUsed");
        long poll = periodic(vertx, config.revocationPollInterval().toMillis(), revoked::refresh,
                "revocation poll failed; still refusing the revocations already known");
        long flush = periodic(vertx, config.lastUsedFlushInterval().toMillis(), lastUsed::flush,
                "last-used flush failed; keeping the uses for the next flush");
        return new PatBackground(vertx, lastUsed, poll, flush);
    }

    /** Cancels the timers and writes the pending last uses; blocks. */
    public void stop() {
        vertx.cancelTimer(pollTimer);
        vertx.cancelTimer(flushTimer);
        try {
            int written = lastUsed.flush();
            log.atDebug().addKeyValue("tokens", written).log("flushed last uses on shutdown");
        } catch (RuntimeException e) {
            log.atWarn().setCause(e).log("last-used flush on shutdown failed; those uses are lost");
        }
    }

    private static long periodic(Vertx vertx, long intervalMillis, Runnable task, String failure) {
        AtomicBoolean running = new AtomicBoolean();
        return vertx.setPeriodic(intervalMillis, id -> {
            if (!running.compareAndSet(false, true)) {
                return;
            }
            vertx.executeBlocking(() -> {
                task.run();
                return null;
            }, false).onComplete(result -> {
                running.set(false);
                if (result.failed()) {
                    log.atWarn().setCause(result.cause()).log(failure);
                }
            });
        });
    }
}
