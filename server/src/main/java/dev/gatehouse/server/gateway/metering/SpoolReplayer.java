package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.GroupCommitter;
import dev.gatehouse.server.store.StoreHealth;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves spooled usage records into the store whenever it answers, exactly once. It seals the
 * spool's current segment and replays every sealed one, oldest first, in batches of at most
 * {@value #BATCH} records; each batch is inserted in one durable transaction together with the
 * offset it ends at ({@code usage_spool_progress}), and a segment is deleted only after its last
 * batch committed. So a replay cut short (the store gone again, the process killed) resumes exactly
 * after the last committed batch. A segment that can never be replayed (unreadable, or refused by
 * the store for a reason other than being unreachable) is set aside as {@code .spool.failed} and
 * logged at ERROR. Runs on a thread of its own; thread-safe.
 */
final class SpoolReplayer implements AutoCloseable {
    static final int BATCH = 500;

    private static final Logger log = LoggerFactory.getLogger(SpoolReplayer.class);
    private static final String PROGRESS = "SELECT replayed_to FROM usage_spool_progress WHERE segment = ?";
    private static final String SAVE_PROGRESS = """
            INSERT INTO usage_spool_progress (segment, replayed_to, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (segment) DO UPDATE SET replayed_to = excluded.replayed_to, updated_at = excluded.updated_at""";
    private static final String FORGET = "DELETE FROM usage_spool_progress WHERE segment = ?";

    private final UsageSpool spool;
    private final Database database;
    private final StoreHealth health;
    private final Counter replayed;
    private final Duration interval;
    private final Thread thread;
    private volatile boolean finishing;
    private volatile boolean closing;

    private SpoolReplayer(UsageSpool spool, Database database, StoreHealth health, Counter replayed,
            Duration interval) {
        this.spool = spool;
        this.database = database;
        this.health = health;
        this.replayed = replayed;
        this.interval = interval;
        this.thread = Thread.ofPlatform().name("gatehouse-usage-replay").daemon().unstarted(this::run);
    }

    /** Starts looking at the spool every {@code interval}. */
    static SpoolReplayer start(UsageSpool spool, Database database, StoreHealth health, Counter replayed,
            Duration interval) {
        SpoolReplayer replayer = new SpoolReplayer(requireNonNull(spool, "spool"), requireNonNull(database, "database"),
                requireNonNull(health, "health"), requireNonNull(replayed, "replayed"),
                requireNonNull(interval, "interval"));
        replayer.thread.start();
        return replayer;
    }

    /**
     * Replays what is spooled one last time if the store answers, then stops; after {@code timeout}
     * it stops after the batch in progress instead. What is left stays spooled for the next start.
     */
    void close(Duration timeout) {
        finishing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /** Stops after the batch in progress, without a last replay. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (!finishing && !closing) {
            if (health.isUp() && !spool.isEmpty()) {
                replayAll();
            }
            LockSupport.parkNanos(interval.toNanos());
        }
        if (!closing && health.isUp() && !spool.isEmpty()) {
            replayAll();
        }
    }

    /** Replays every sealed segment; logs one line for the round, however many segments it took. */
    private void replayAll() {
        long records = 0;
        int segments = 0;
        try {
            for (Path segment : spool.seal()) {
                if (closing) {
                    return;
                }
                try {
                    Replayed done = replay(segment);
                    records += done.records();
                    segments += done.wholeSegment() ? 1 : 0;
                } catch (RuntimeException e) {
                    if (GroupCommitter.storeUnavailable(e)) {
                        health.reportUnreachable(e);
                        return;
                    }
                    setAside(segment, e);
                } catch (IOException e) {
                    setAside(segment, e);
                } catch (Error e) {
                    // e.g. pgjdbc's AssertionError for a connection the server closed: retried next round
                    log.atError().setCause(e).addKeyValue("segment", segment).log("usage spool: replay failed");
                    return;
                }
            }
        } finally {
            if (records > 0) {
                log.atInfo().addKeyValue("records", records).addKeyValue("segments", segments)
                        .addKeyValue("spoolBytesLeft", spool.bytes()).log("usage spool: records replayed into the store");
            }
        }
    }

    /** What one call replayed: its records, and whether that finished the segment (not cut short by closing). */
    private record Replayed(long records, boolean wholeSegment) {}

    private Replayed replay(Path segment) throws IOException {
        String name = segment.getFileName().toString();
        if (Files.size(segment) <= SpoolFormat.HEADER.length) {
            spool.delete(segment); // created just before a crash: no record in it
            return new Replayed(0, true);
        }
        long from = database.jdbi().withHandle(handle -> handle.createQuery(PROGRESS).bind(0, name)
                .mapTo(Long.class).findOne().orElse(0L));
        long count = 0;
        try (SpoolReader reader = SpoolReader.open(segment, from)) {
            while (!closing) {
                SpoolReader.Batch batch = reader.next(BATCH);
                if (batch.records().isEmpty()) {
                    break;
                }
                database.inDurableTransaction(handle -> {
                    UsageRows.insert(handle, batch.records(), () -> !database.isPostgres());
                    saveProgress(handle, name, batch.endOffset());
                    return null;
                });
                replayed.increment(batch.records().size());
                count += batch.records().size();
            }
            if (closing) {
                return new Replayed(count, false);
            }
            if (reader.tornBytes() > 0) {
                log.atWarn().addKeyValue("segment", name).addKeyValue("bytes", reader.tornBytes())
                        .log("usage spool: the segment ends in a torn entry (written when the process died); skipped");
            }
        }
        spool.delete(segment);
        database.jdbi().useHandle(handle -> handle.execute(FORGET, name));
        log.atDebug().addKeyValue("segment", name).addKeyValue("records", count)
                .log("usage spool: segment replayed into the store");
        return new Replayed(count, true);
    }

    private static void saveProgress(Handle handle, String segment, long offset) {
        handle.execute(SAVE_PROGRESS, segment, offset, System.currentTimeMillis());
    }

    private void setAside(Path segment, Exception cause) {
        try {
            Path aside = spool.setAside(segment);
            log.atError().setCause(cause).addKeyValue("segment", aside)
                    .log("usage spool: a segment cannot be replayed; it is set aside, its records are not in the store");
        } catch (IOException e) {
            log.atError().setCause(e).addKeyValue("segment", segment)
                    .log("usage spool: a segment can neither be replayed nor set aside");
        }
    }
}
