package dev.gatehouse.server.store;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.store.WriteOutcome.Refused;
import dev.gatehouse.server.store.WriteOutcome.Written;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteException;

/**
 * Group commit: many requests' writes in one durable transaction. {@link #submit} queues a write and
 * returns at once; a writer thread takes everything queued (up to {@code maxBatch} items), writes
 * it in one {@linkplain Database#inDurableTransaction durable transaction} (each {@link BatchWrite}
 * once with all of its items, e.g. as a JDBC batch) and only after the commit completes each
 * item's future. A future therefore never completes before its record is durable, and a caller that
 * hands out a credential from the completed future never hands out one whose record a crash could
 * lose. One commit (and one fsync) serves the whole batch: under load the batch grows by itself
 * while the previous one commits, so the store's per-commit cost is shared by every waiting request.
 *
 * <p>Writers: SQLite has one write lock, so one writer thread. On PostgreSQL {@value
 * #POSTGRES_WRITERS} writers share the queue, so that one batch's round trips and commit overlap the
 * next batch's instead of holding it up; their transactions touch disjoint rows except for PAT
 * owners' lock rows, which every batch takes in one sorted order, so they cannot deadlock.
 *
 * <p>Failures stay with their item: a {@linkplain WriteOutcome#refused refused} item fails its own
 * future and the rest commit; if the batch's transaction fails, it is rolled back and every item is
 * written again in a transaction of its own. Only when the store cannot be used at all (no
 * connection, a lost one, SQLite's write lock not had within its busy timeout) does a whole batch
 * fail at once.
 *
 * <p>The queue holds at most {@code capacity} items: beyond that, and once {@link #close} has begun,
 * {@link #submit} returns a future failed with {@link StoreBusyException} (nothing written). {@link
 * #close} commits everything already queued, then stops the writers.
 *
 * <p>Thread-safe. {@link #submit} never blocks; futures complete on a writer thread, so callers
 * must not block in their continuations (hop to their own executor or Vert.x context). Never wait
 * for a write while holding a store transaction: the writer needs a connection and, on SQLite, the
 * single write lock.
 */
public final class GroupCommitter implements AutoCloseable {
    /** Writes waiting at most: at the thousands of mints per second a replica manages, well under a second's worth. */
    public static final int DEFAULT_CAPACITY = 4_096;
    /** Items in one transaction at most: bounds how long one transaction holds SQLite's single write lock. */
    public static final int DEFAULT_MAX_BATCH = 256;
    /**
     * Writer threads on PostgreSQL (fewer if {@code store.maxPoolSize} leaves no other connection),
     * each holding a pooled connection while it writes. Two raised PATs/s by 26–30 % and sandbox
     * tokens/s by 15 % over one (bench/README.md); three or four were slower than two where
     * PostgreSQL shares the gateway's two cores.
     */
    public static final int POSTGRES_WRITERS = 2;

    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);
    /**
     * How long an idle writer waits for an item before it looks whether the committer is closing;
     * {@link #close()} wakes it sooner with {@link #WAKE_UP}, so this only bounds a missed wake-up.
     */
    private static final long IDLE_POLL_MILLIS = 1_000;
    /** Queued by {@link #close()}, once per writer, to wake an idle one: never written. */
    private static final Pending<?, ?> WAKE_UP = new Pending<>(null, null, null);
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;

    private final Database database;
    private final BlockingQueue<Pending<?, ?>> queue;
    private final int maxBatch;
    private final List<Thread> writers;
    /** Held by a writer while it takes a batch, so that one batch is never split between two writers. */
    private final Object taking = new Object();
    private volatile boolean closing;

    private GroupCommitter(Database database, int capacity, int maxBatch) {
        this.database = database;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBatch = maxBatch;
        // A writer holds a pooled connection while it writes: leave one for everything else.
        int count = database.isPostgres() ? Math.max(1, Math.min(POSTGRES_WRITERS, database.poolSize() - 1)) : 1;
        List<Thread> threads = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = count == 1 ? "gatehouse-group-commit" : "gatehouse-group-commit-" + (i + 1);
            threads.add(Thread.ofPlatform().name(name).daemon().unstarted(this::run));
        }
        this.writers = List.copyOf(threads);
    }

    /** Starts a committer with {@value #DEFAULT_CAPACITY} queued items and {@value #DEFAULT_MAX_BATCH} per commit. */
    public static GroupCommitter start(Database database) {
        return start(database, DEFAULT_CAPACITY, DEFAULT_MAX_BATCH);
    }

    public static GroupCommitter start(Database database, int capacity, int maxBatch) {
        requireNonNull(database, "database");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch: " + maxBatch + " (expected: > 0)");
        }
        GroupCommitter committer = new GroupCommitter(database, capacity, maxBatch);
        committer.writers.forEach(Thread::start);
        return committer;
    }

    /**
     * Queues {@code item} for {@code write}. The future completes with the item's value once the
     * transaction that wrote it committed, or fails with the item's refusal, the store's error, or
     * {@link StoreBusyException} if the item was not accepted.
     */
    public <I, R> CompletableFuture<R> submit(BatchWrite<I, R> write, I item) {
        requireNonNull(write, "write");
        requireNonNull(item, "item");
        if (closing) {
            return CompletableFuture.failedFuture(new StoreBusyException("shutting_down",
                    "This replica is shutting down; retry on another one."));
        }
        Pending<I, R> pending = new Pending<>(write, item, new CompletableFuture<>());
        if (!queue.offer(pending)) {
            return CompletableFuture.failedFuture(new StoreBusyException("store_busy", "Too many writes are waiting"
                    + " for the store (" + queue.size() + " queued); retry shortly."));
        }
        // close() may have taken its last look at the queue between the check above and the offer.
        if (closing && queue.remove(pending)) {
            return CompletableFuture.failedFuture(new StoreBusyException("shutting_down",
                    "This replica is shutting down; retry on another one."));
        }
        return pending.result();
    }

    /**
     * Waits for a write {@linkplain #submit submitted} here, for callers that may block (virtual or
     * worker threads): its value, or its failure rethrown as it was (not wrapped).
     */
    public static <R> R await(CompletableFuture<R> result) {
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** How many writer threads take batches from the queue. */
    int writers() {
        return writers.size();
    }

    /** Items queued and not yet taken by a writer. */
    public int queued() {
        return queue.size();
    }

    /** Refuses new items, commits every queued one, then stops the writers. Idempotent. */
    @Override
    public void close() {
        closing = true;
        writers.forEach(writer -> queue.offer(WAKE_UP)); // wakes a waiting writer; a busy one sees closing
        boolean interrupted = false;
        for (Thread writer : writers) {
            while (writer.isAlive()) {
                try {
                    writer.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        // A submit that passed the closing check just before close() began may have queued after
        // the writers' last look: write it here rather than strand its caller.
        List<Pending<?, ?>> late = new ArrayList<>();
        queue.drainTo(late);
        late.removeIf(pending -> pending == WAKE_UP);
        if (!late.isEmpty()) {
            commit(late);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Pending<?, ?>> batch = new ArrayList<>(maxBatch);
        while (true) {
            try {
                take(batch);
            } catch (InterruptedException e) {
                continue; // only close() stops a writer, after the queue is empty
            }
            if (batch.isEmpty()) {
                if (closing) {
                    return;
                }
                continue;
            }
            try {
                commit(batch);
            } catch (Throwable e) {
                batch.forEach(pending -> pending.fail(e));
                log.atError().setCause(e).log("group commit: unexpected failure; its batch failed");
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Waits a little for a first item (not at all once the committer is closing), then takes
     * everything queued behind it, up to {@code maxBatch}.
     */
    private void take(List<Pending<?, ?>> batch) throws InterruptedException {
        synchronized (taking) {
            Pending<?, ?> first = closing ? queue.poll() : queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
            if (first != null && first != WAKE_UP) {
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                batch.removeIf(pending -> pending == WAKE_UP);
            }
        }
    }

    private void commit(List<Pending<?, ?>> batch) {
        List<Runnable> completions;
        try {
            completions = database.inDurableTransaction(handle -> writeAll(handle, batch));
        } catch (RuntimeException e) {
            if (batch.size() == 1 || storeUnavailable(e)) {
                // Item by item would only wait for the same lock or connection once per item.
                batch.forEach(pending -> pending.fail(e));
                return;
            }
            log.atWarn()
                    .addKeyValue("items", batch.size())
                    .addKeyValue("error", e.toString())
                    .log("group commit: the batch failed; writing its items one by one");
            for (Pending<?, ?> pending : batch) {
                commit(List.of(pending));
            }
            return;
        }
        completions.forEach(Runnable::run);
    }

    /**
     * Whether {@code error} says the store could not be used at all (no connection, the connection
     * lost, the server shutting down or starting, SQLite's write lock not had within its busy
     * timeout), not that an item was bad.
     */
    public static boolean storeUnavailable(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectionException) {
                return true;
            }
            if (cause instanceof SQLiteException sqlite) {
                int primary = sqlite.getResultCode().code & 0xff;
                if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
                    return true;
                }
            }
            // 08: connection exceptions; 57P: the server shutting down, crashed, or not yet started.
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    private static List<Runnable> writeAll(Handle handle, List<Pending<?, ?>> batch) {
        Map<BatchWrite<?, ?>, List<Pending<?, ?>>> byWrite = new LinkedHashMap<>();
        for (Pending<?, ?> pending : batch) {
            byWrite.computeIfAbsent(pending.write(), write -> new ArrayList<>()).add(pending);
        }
        List<Runnable> completions = new ArrayList<>(batch.size());
        byWrite.values().forEach(group -> writeGroup(handle, group, completions));
        return completions;
    }

    @SuppressWarnings("unchecked") // every Pending of one group was submitted with this very BatchWrite<I, R>
    private static <I, R> void writeGroup(Handle handle, List<Pending<?, ?>> group, List<Runnable> completions) {
        List<Pending<I, R>> pendings = (List<Pending<I, R>>) (List<?>) group;
        BatchWrite<I, R> write = pendings.getFirst().write();
        List<I> items = new ArrayList<>(pendings.size());
        pendings.forEach(pending -> items.add(pending.item()));
        List<WriteOutcome<R>> outcomes = write.write(handle, items);
        if (outcomes.size() != items.size()) {
            throw new IllegalStateException(write.getClass().getName() + ": " + outcomes.size() + " outcomes for "
                    + items.size() + " items (expected: one per item)");
        }
        for (int i = 0; i < pendings.size(); i++) {
            CompletableFuture<R> result = pendings.get(i).result();
            completions.add(switch (outcomes.get(i)) {
                case Written<R> written -> () -> result.complete(written.value());
                case Refused<R> refused -> () -> result.completeExceptionally(refused.reason());
            });
        }
    }

    private record Pending<I, R>(BatchWrite<I, R> write, I item, CompletableFuture<R> result) {
        void fail(Throwable error) {
            result.completeExceptionally(error);
        }
    }
}
