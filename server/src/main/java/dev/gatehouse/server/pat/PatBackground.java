package dev.gatehouse.server.pat;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.schedule.PeriodicTasks;
import dev.gatehouse.server.tokens.RevokedTokens;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic work behind personal access tokens on a running replica: polling the store for
 * revocations made elsewhere, flushing recorded last uses and, every {@link #PRUNE_INTERVAL},
 * pruning the store's revocation log ({@link RevokedTokens#pruneLog()}). Each runs off the event
 * loop, one run at a time (a run still going when the next is due is skipped). {@link #stop()}
 * cancels them all and flushes the last uses a final time.
 */
public final class PatBackground {
    /**
     * How often each replica prunes the revocation log: a cheap DELETE, and often enough that
     * replicas restarted several times an hour still run it.
     */
    static final Duration PRUNE_INTERVAL = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(PatBackground.class);

    private final PeriodicTasks tasks;
    private final LastUsedTracker lastUsed;

    private PatBackground(PeriodicTasks tasks, LastUsedTracker lastUsed) {
        this.tasks = tasks;
        this.lastUsed = lastUsed;
    }

    public static PatBackground start(Vertx vertx, PatConfig config, RevokedTokens revoked, LastUsedTracker lastUsed) {
        return start(vertx, config, revoked, lastUsed, PRUNE_INTERVAL);
    }

    static PatBackground start(Vertx vertx, PatConfig config, RevokedTokens revoked, LastUsedTracker lastUsed,
            Duration pruneInterval) {
        requireNonNull(vertx, "vertx");
        requireNonNull(config, "config");
        requireNonNull(revoked, "revoked");
        requireNonNull(lastUsed, "lastUsed");
        PeriodicTasks tasks = new PeriodicTasks(vertx);
        tasks.every(config.revocationPollInterval(), revoked::refresh,
                "revocation poll failed; still refusing the revocations already known");
        tasks.every(config.lastUsedFlushInterval(), lastUsed::flush,
                "last-used flush failed; keeping the uses for the next flush");
        tasks.every(pruneInterval, revoked::pruneLog, "revocation log pruning failed; trying again at the next run");
        return new PatBackground(tasks, lastUsed);
    }

    /** Cancels the timers and writes the pending last uses; blocks. */
    public void stop() {
        tasks.cancel();
        try {
            int written = lastUsed.flush();
            log.atDebug().addKeyValue("tokens", written).log("flushed last uses on shutdown");
        } catch (RuntimeException e) {
            log.atWarn().setCause(e).log("last-used flush on shutdown failed; those uses are lost");
        }
    }
}
