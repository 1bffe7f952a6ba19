package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.metering.DroppedRecords.Reason;
import dev.gatehouse.server.gateway.metering.UsageConfig.Durability;
import dev.gatehouse.server.gateway.metering.UsageConfig.OnStoreUnavailable;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.GroupCommitter;
import dev.gatehouse.server.store.StoreHealth;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link UsageSink} of a Gatehouse process. Records go into a bounded in-memory queue that one
 * writer thread drains into {@code usage_records}, one transaction per batch of at most {@link
 * Settings#maxBatchSize()} rows.
 *
 * <ul>
 *   <li>{@link Durability#BATCHED}: a batch is written at the latest {@link UsageConfig#flushInterval()}
 *       after its first record arrived; {@link #record} completes at once.
 *   <li>{@link Durability#STRICT}: the writer commits whatever is queued at once, durably (group
 *       commit: the batch grows while the previous one commits), and {@link #record}'s stage completes
 *       only after that commit, or after the record was fsynced to the spool.
 * </ul>
 *
 * <p>While the store is unreachable ({@link StoreHealth}), or the writer fell behind (a record has
 * waited in memory longer than twice the flush interval and at least {@value #MIN_SPILL_AFTER_MILLIS}
 * ms, or half the queue is taken), records go to the {@link UsageSpool} instead ({@link
 * OnStoreUnavailable#SPOOL}), from where {@link SpoolReplayer} moves them into the
 * store when it answers; with {@link OnStoreUnavailable#REFUSE} nothing is spooled, {@link #acceptsNewRequests()} is false while the store is away and the writer
 * waits for it. A record that can be neither queued nor spooled is dropped and counted ({@link
 * DroppedRecords}); a batch the store refuses four times for another reason than being unreachable
 * is counted in {@code gatehouse.usage.records.lost} and logged at ERROR.
 *
 * <p>{@link #close()} stops accepting records, writes (or spools) everything queued and waits for
 * the writer (at most {@link Settings#closeTimeout()}). Thread-safe; {@link #record} never blocks.
 */
public final class JdbcUsageSink implements UsageSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JdbcUsageSink.class);
    private static final long IDLE_POLL_MILLIS = 100;
    private static final long FILL_PAUSE_MILLIS = 10;
    /**
     * The least time a record waits before it is spooled, and before the writer stops yielding,
     * whatever the flush interval: below them an ordinary commit would count as falling behind.
     */
    private static final long MIN_SPILL_AFTER_MILLIS = 100;
    private static final long MIN_CATCH_UP_AFTER_MILLIS = 50;
    /** The overflow thread's shortest and longest sleep between two looks at the queue. */
    private static final long OVERFLOW_MIN_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long OVERFLOW_MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(MIN_SPILL_AFTER_MILLIS);
    /** How long the overflow thread leaves records in memory after the spool refused some. */
    private static final long SPILL_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Duration REPLAY_INTERVAL = Duration.ofMillis(500);
    private static final int WRITE_ATTEMPTS = 4;

    private final Database database;
    private final StoreHealth health;
    private final UsageConfig config;
    private final Settings settings;
    private final BlockingQueue<Entry> queue;
    private final UsageSpool spool;
    private final SpoolReplayer replayer;
    private final DroppedRecords dropped;
    private final Counter written;
    private final Counter spooled;
    private final Counter lost;
    private final Thread writer;
    private final Thread overflow;
    private final long flushIntervalNanos;
    private final long catchUpAfterNanos;
    private final long spillAfterNanos;
    /** The overflow thread's: no spilling before this {@link System#nanoTime()}, after the spool refused some. */
    private long spillPausedUntilNanos = System.nanoTime();
    private volatile boolean closing;
    private volatile long closeDeadlineNanos;
    private volatile boolean closed;

    private JdbcUsageSink(Database database, StoreHealth health, MeterRegistry metrics, UsageConfig config,
            Settings settings) {
        this.database = database;
        this.health = health;
        this.config = config;
        this.settings = settings;
        this.flushIntervalNanos = config.flushInterval().toNanos();
        this.catchUpAfterNanos = Math.max(flushIntervalNanos, TimeUnit.MILLISECONDS.toNanos(MIN_CATCH_UP_AFTER_MILLIS));
        this.spillAfterNanos = Math.max(2 * flushIntervalNanos, TimeUnit.MILLISECONDS.toNanos(MIN_SPILL_AFTER_MILLIS));
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.dropped = new DroppedRecords(metrics, settings.dropLogInterval());
        this.written = Counter.builder("gatehouse.usage.records.written")
                .description("Usage records written to the store as they came").register(metrics);
        this.spooled = Counter.builder("gatehouse.usage.records.spooled")
                .description("Usage records written to the local spool because the store was away or behind")
                .register(metrics);
        this.lost = Counter.builder("gatehouse.usage.records.lost")
                .description("Usage records lost because the store refused them repeatedly").register(metrics);
        Gauge.builder("gatehouse.usage.queue.size", queue, BlockingQueue::size)
                .description("Usage records waiting in memory to be written").register(metrics);
        if (config.onStoreUnavailable() == OnStoreUnavailable.SPOOL) {
            this.spool = UsageSpool.open(config.spoolDir(), config.spoolMaxBytes());
            Gauge.builder("gatehouse.usage.spool.bytes", spool, UsageSpool::bytes).baseUnit("bytes")
                    .description("Size of the usage spool on local disk, records not yet replayed into the store")
                    .register(metrics);
            Counter replayed = Counter.builder("gatehouse.usage.records.replayed")
                    .description("Usage records replayed from the spool into the store").register(metrics);
            this.replayer = SpoolReplayer.start(spool, database, health, replayed, REPLAY_INTERVAL);
        } else {
            this.spool = null;
            this.replayer = null;
        }
        this.writer = Thread.ofPlatform().name("gatehouse-usage-writer").daemon().unstarted(this::write);
        this.overflow = Thread.ofPlatform().name("gatehouse-usage-overflow").daemon().unstarted(this::watchOverflow);
    }

    /** Starts a sink with {@link Settings#DEFAULTS}. */
    public static JdbcUsageSink start(Database database, StoreHealth health, MeterRegistry metrics, UsageConfig config) {
        return start(database, health, metrics, config, Settings.DEFAULTS);
    }

    /**
     * Starts a sink, its writer and, when spooling, the replay of what an earlier run spooled.
     *
     * @throws UncheckedIOException if the spool directory cannot be used
     */
    public static JdbcUsageSink start(Database database, StoreHealth health, MeterRegistry metrics, UsageConfig config,
            Settings settings) {
        JdbcUsageSink sink = new JdbcUsageSink(requireNonNull(database, "database"), requireNonNull(health, "health"),
                requireNonNull(metrics, "metrics"), requireNonNull(config, "config"),
                requireNonNull(settings, "settings"));
        sink.writer.start();
        sink.overflow.start();
        return sink;
    }

    @Override
    public CompletionStage<Void> record(UsageRecord usage) {
        requireNonNull(usage, "usage");
        Entry entry = new Entry(usage, config.durability() == Durability.STRICT ? new CompletableFuture<>() : null,
                System.nanoTime());
        if (closing) {
            drop(entry, Reason.CLOSED);
        } else if (!queue.offer(entry)) {
            drop(entry, Reason.QUEUE_FULL);
        }
        return entry.durable() == null ? RECORDED : entry.durable();
    }

    /** False while the store is unreachable, if so configured ({@link OnStoreUnavailable#REFUSE}). */
    @Override
    public boolean acceptsNewRequests() {
        return spool != null || health.isUp();
    }

    /** Records dropped so far. */
    public long droppedRecords() {
        return dropped.total();
    }

    /** Records waiting in memory to be written. */
    public int backlog() {
        return queue.size();
    }

    /**
     * Stops accepting records and writes (or spools) every queued one, waiting at most {@link
     * Settings#closeTimeout()}; what is still queued then is dropped and counted. If the store
     * answers, what is spooled is replayed into it (for at most as long again); the rest is replayed
     * at the next start. Idempotent.
     */
    @Override
    public void close() {
        closeDeadlineNanos = System.nanoTime() + settings.closeTimeout().toNanos();
        closing = true;
        try {
            // A writer waiting for the store gives up at the deadline: let it notice before giving up on it.
            writer.join(settings.closeTimeout().plusSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean finished = !writer.isAlive();
        if (!finished) {
            log.atError().addKeyValue("backlog", queue.size())
                    .log("usage writer did not finish within " + settings.closeTimeout() + "; unwritten records are lost");
        }
        dropWhatIsQueued();
        closed = true;
        LockSupport.unpark(overflow);
        try {
            overflow.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dropped.reportNow();
        if (spool != null && finished) {
            replayer.close(settings.closeTimeout());
            spool.close();
        }
    }

    private void drop(Entry entry, Reason reason) {
        dropped.drop(reason);
        if (entry.durable() != null) {
            entry.durable().completeExceptionally(new IllegalStateException("usage record dropped: " + reason.label()));
        }
    }

    private void write() {
        List<Entry> batch = new ArrayList<>(settings.maxBatchSize());
        try {
            while (!closing || !queue.isEmpty()) {
                Entry first = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                if (config.durability() == Durability.STRICT) {
                    queue.drainTo(batch, settings.maxBatchSize() - 1);
                } else {
                    fill(batch, first.queuedAtNanos() + flushIntervalNanos);
                }
                try {
                    store(batch);
                } catch (InterruptedException e) {
                    throw e;
                } catch (Throwable e) {
                    unexpected(batch, e);
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            log.warn("usage writer interrupted; records still queued are not written");
        }
    }

    /**
     * Adds records to the batch until it is full, the sink closes or the {@code deadline} ({@link
     * System#nanoTime()}) passes: a flush interval after its first record was queued, so a writer
     * that is already late does not wait. It drains the queue every {@value #FILL_PAUSE_MILLIS} ms
     * instead of waiting on it, so the request path does not pay for waking this thread once per
     * record.
     */
    private void fill(List<Entry> batch, long deadline) throws InterruptedException {
        while (true) {
            queue.drainTo(batch, settings.maxBatchSize() - batch.size());
            long wait = deadline - System.nanoTime();
            if (batch.size() >= settings.maxBatchSize() || closing || wait <= 0) {
                return;
            }
            Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(wait) + 1, FILL_PAUSE_MILLIS));
        }
    }

    private void store(List<Entry> batch) throws InterruptedException {
        if (spool != null && !health.isUp()) {
            spool(batch);
            return;
        }
        List<UsageRecord> records = records(batch);
        long backoffMillis = 250;
        for (int attempt = 1; ; attempt++) {
            try {
                insert(records);
                written.increment(records.size());
                complete(batch, batch.size());
                return;
            } catch (RuntimeException e) {
                if (GroupCommitter.storeUnavailable(e)) {
                    health.reportUnreachable(e);
                    if (spool != null) {
                        spool(batch);
                        return;
                    }
                    if (!awaitStore()) {
                        lose(batch, e);
                        return;
                    }
                    attempt = 0;
                    continue;
                }
                if (attempt >= WRITE_ATTEMPTS) {
                    lose(batch, e);
                    return;
                }
                log.atWarn().setCause(e).addKeyValue("attempt", attempt).log("writing usage records failed; retrying");
                Thread.sleep(backoffMillis);
                backoffMillis *= 2;
            }
        }
    }

    private void insert(List<UsageRecord> records) {
        if (config.durability() == Durability.STRICT) {
            database.inDurableTransaction(handle -> {
                UsageRows.insert(handle, records, this::yieldsBetweenSlices);
                return null;
            });
        } else {
            database.jdbi().useTransaction(handle -> UsageRows.insert(handle, records, this::yieldsBetweenSlices));
        }
    }

    /**
     * Whether the writer yields the CPU between slices of a batch: only on SQLite, whose engine runs
     * on the cores that serve requests, and only while it is on time, no record having waited longer
     * than the flush interval (at least {@value #MIN_CATCH_UP_AFTER_MILLIS} ms). A writer that went on
     * yielding on a saturated machine fell further behind until a third of the records went through
     * the spool (bench/README.md, run 18).
     */
    boolean yieldsBetweenSlices() {
        return !database.isPostgres() && !oldestWaitedLongerThan(catchUpAfterNanos);
    }

    /**
     * {@link OnStoreUnavailable#REFUSE}: waits until the store answers again; false if the sink is
     * closing and its close timeout is over.
     */
    private boolean awaitStore() throws InterruptedException {
        while (!health.isUp()) {
            if (closing && System.nanoTime() - closeDeadlineNanos > 0) {
                return false;
            }
            Thread.sleep(IDLE_POLL_MILLIS);
        }
        return true;
    }

    private void lose(List<Entry> batch, Throwable cause) {
        lost.increment(batch.size());
        log.atError().setCause(cause).addKeyValue("records", batch.size())
                .log("usage records could not be written and are lost");
        batch.forEach(entry -> {
            if (entry.durable() != null) {
                entry.durable().completeExceptionally(cause);
            }
        });
    }

    /**
     * The writer must outlive anything a driver throws (pgjdbc, with assertions on, throws an
     * AssertionError for a batch whose connection the server closed): the batch is spooled, or lost.
     */
    private void unexpected(List<Entry> batch, Throwable error) {
        if (spool == null) {
            lose(batch, error);
            return;
        }
        log.atError().setCause(error).addKeyValue("records", batch.size())
                .log("usage writer: unexpected failure; the batch goes to the spool");
        spool(batch);
    }

    /** Appends the batch to the spool (one fsync); what does not fit or cannot be written is dropped. */
    private void spool(List<Entry> batch) {
        int taken = appendToSpool(batch);
        Reason refused = taken < 0 ? Reason.SPOOL_ERROR : Reason.SPOOL_FULL;
        for (Entry entry : batch.subList(Math.max(taken, 0), batch.size())) {
            drop(entry, refused);
        }
    }

    /**
     * Appends as much of the batch as fits in the spool (one fsync) and counts and completes those:
     * the first {@code n}, returned; -1 if the spool could not be written.
     */
    private int appendToSpool(List<Entry> batch) {
        int taken;
        try {
            taken = spool.append(records(batch));
        } catch (UncheckedIOException e) {
            log.atError().setCause(e).addKeyValue("records", batch.size()).log("usage spool: writing failed");
            return -1;
        }
        spooled.increment(taken);
        complete(batch, taken);
        return taken;
    }

    /**
     * While the writer cannot keep up (a store that stopped answering holds it for up to the pool's
     * connection timeout, a store slower than the traffic), moves the oldest records to the spool, a
     * batch at a time, until none has waited in memory, where a crash would lose it, for longer than
     * the spill limit (looking again within 10 ms of when one could have, and at least every 100 ms);
     * and logs drops. What the spool refuses (full, or the disk failing) goes back into the queue, to
     * wait for the writer, and the thread leaves the queue alone for a second: a full spool costs no
     * record that memory can hold.
     */
    private void watchOverflow() {
        List<Entry> spill = new ArrayList<>(settings.maxBatchSize());
        while (!closed) {
            if (spool != null && System.nanoTime() - spillPausedUntilNanos >= 0 && fallenBehind()) {
                queue.drainTo(spill, settings.maxBatchSize());
                int taken = appendToSpool(spill);
                List<Entry> refused = spill.subList(Math.max(taken, 0), spill.size());
                if (!refused.isEmpty()) {
                    refused.forEach(this::requeue);
                    spillPausedUntilNanos = System.nanoTime() + SPILL_RETRY_NANOS;
                }
                spill.clear();
                continue;
            }
            dropped.report();
            LockSupport.parkNanos(overflowPauseNanos());
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
        }
        dropWhatIsQueued(); // what this thread put back while close() emptied the queue
    }

    /** On close: drops, and counts, every record still queued. */
    private void dropWhatIsQueued() {
        List<Entry> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(entry -> drop(entry, Reason.CLOSED));
    }

    /**
     * Whether the writer is so far behind that what waits should go to the spool: a record has waited
     * longer than the spill limit (twice the flush interval, at least {@value #MIN_SPILL_AFTER_MILLIS}
     * ms), or half the queue is taken. A time, not a number of records: at 20,000 requests a second a
     * thousand records are 50 ms of traffic, less than one flush interval, and a writer merely
     * batching was taken for one that fell behind: the records spooled, then replayed into the same
     * store, cost the CPU twice (bench/README.md, run 21).
     */
    private boolean fallenBehind() {
        return queue.size() > settings.queueCapacity() / 2 || oldestWaitedLongerThan(spillAfterNanos);
    }

    /** Puts back at the end of the queue a record the spool refused; dropped if the queue is full. */
    private void requeue(Entry entry) {
        if (!queue.offer(entry)) {
            drop(entry, Reason.QUEUE_FULL);
        }
    }

    private boolean oldestWaitedLongerThan(long nanos) {
        Entry oldest = queue.peek();
        return oldest != null && System.nanoTime() - oldest.queuedAtNanos() > nanos;
    }

    /**
     * How long the overflow thread may sleep: until the oldest record waiting could be spooled,
     * within {@link #OVERFLOW_MIN_PAUSE_NANOS} and {@link #OVERFLOW_MAX_PAUSE_NANOS}, so that an idle
     * process is not woken a hundred times a second to look at an empty queue.
     */
    private long overflowPauseNanos() {
        Entry oldest = queue.peek();
        if (oldest == null) {
            return OVERFLOW_MAX_PAUSE_NANOS;
        }
        long untilSpillable = oldest.queuedAtNanos() + spillAfterNanos - System.nanoTime();
        return Math.clamp(untilSpillable, OVERFLOW_MIN_PAUSE_NANOS, OVERFLOW_MAX_PAUSE_NANOS);
    }

    private static List<UsageRecord> records(List<Entry> batch) {
        List<UsageRecord> records = new ArrayList<>(batch.size());
        batch.forEach(entry -> records.add(entry.record()));
        return records;
    }

    /** The first {@code count} entries are durable: their responses may end. */
    private static void complete(List<Entry> batch, int count) {
        for (int i = 0; i < count; i++) {
            CompletableFuture<Void> durable = batch.get(i).durable();
            if (durable != null) {
                durable.complete(null);
            }
        }
    }

    /**
     * @param durable completed once the record is durable ({@link Durability#STRICT}); null otherwise
     * @param queuedAtNanos {@link System#nanoTime()} when it was queued
     */
    private record Entry(UsageRecord record, CompletableFuture<Void> durable, long queuedAtNanos) {}

    /**
     * How the sink queues and writes, beyond the configuration.
     *
     * @param queueCapacity records held in memory, {@code >= 2}; beyond it (with no spool) dropped; with
     *     a spool, what is above half of it is spooled
     * @param maxBatchSize rows written in one transaction, {@code >= 1}
     * @param dropLogInterval at most one WARN about dropped records per this interval
     * @param closeTimeout how long {@link #close()} waits for the writer
     */
    public record Settings(int queueCapacity, int maxBatchSize, Duration dropLogInterval, Duration closeTimeout) {
        /** 50,000 records, batches of 500, a drop report at most every 10 s, 30 s to close. */
        public static final Settings DEFAULTS =
                new Settings(50_000, 500, Duration.ofSeconds(10), Duration.ofSeconds(30));

        public Settings {
            requireNonNull(dropLogInterval, "dropLogInterval");
            requireNonNull(closeTimeout, "closeTimeout");
            if (queueCapacity < 2) {
                throw new IllegalArgumentException("queueCapacity: " + queueCapacity + " (expected: >= 2)");
            }
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("maxBatchSize: " + maxBatchSize + " (expected: >= 1)");
            }
        }
    }
}
