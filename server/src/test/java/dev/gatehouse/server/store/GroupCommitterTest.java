package dev.gatehouse.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.server.store.TestDatabases.TestStore;
import dev.gatehouse.server.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Group commit on SQLite and the real PostgreSQL: durability before completion, isolation of failures, bounds. */
class GroupCommitterTest {
    @TempDir
    Path dir;

    private TestStore store;
    private Database database;
    private GroupCommitter committer;
    /** Sizes of the batches {@link #rows} was called with, in order. */
    private final List<Integer> batches = new CopyOnWriteArrayList<>();

    /** Inserts each item as a row of {@code items} in one JDBC batch; refuses items named "refuse-*". */
    private final BatchWrite<String, String> rows = (handle, items) -> {
        batches.add(items.size());
        PreparedBatch batch = handle.prepareBatch("INSERT INTO group_commit_items (id) VALUES (:id)");
        List<WriteOutcome<String>> outcomes = new ArrayList<>();
        for (String item : items) {
            if (item.startsWith("refuse-")) {
                outcomes.add(WriteOutcome.refused(new IllegalArgumentException("refused " + item)));
                continue;
            }
            batch.bind("id", item).add();
            outcomes.add(WriteOutcome.written(item));
        }
        if (batch.size() > 0) {
            batch.execute();
        }
        return outcomes;
    };

    @AfterEach
    void close() throws Exception {
        if (committer != null) {
            committer.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void concurrentWrites_areAllDurable_andEachFutureCompletesOnlyOnceItsRowIsCommitted(TestDatabases.Kind kind)
            throws Exception {
        start(kind, GroupCommitter.DEFAULT_CAPACITY, GroupCommitter.DEFAULT_MAX_BATCH);
        int writers = 16;
        int perWriter = 100;
        Map<String, Boolean> visibleOnCompletion = new ConcurrentHashMap<>();
        ExecutorService threads = Executors.newFixedThreadPool(writers);
        // Another thread, hence another connection: JDBI would reuse the writer's own handle on its thread.
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            List<CompletableFuture<?>> all = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch submitted = new CountDownLatch(writers);
            for (int w = 0; w < writers; w++) {
                int writer = w;
                threads.execute(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        String id = "w" + writer + "-" + i;
                        // Runs the moment the future completes: on another connection, the row must already be there.
                        all.add(committer.submit(rows, id).thenAccept(value -> visibleOnCompletion.put(value,
                                CompletableFuture.supplyAsync(() -> exists(id), reader).join())));
                    }
                    submitted.countDown();
                });
            }
            assertThat(submitted.await(30, TimeUnit.SECONDS)).isTrue();
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
            reader.shutdownNow();
        }

        assertThat(visibleOnCompletion).hasSize(writers * perWriter).doesNotContainValue(false);
        assertThat(count()).isEqualTo(writers * perWriter);
        assertThat(batches.stream().mapToInt(Integer::intValue).sum()).isEqualTo(writers * perWriter);
        assertThat(batches).as("writes waiting while a batch commits share the next transaction")
                .hasSizeLessThan(writers * perWriter);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aRefusedItem_failsAlone_andTheOthersCommitInTheSameTransaction(TestDatabases.Kind kind) throws Exception {
        start(kind, 100, 100);
        CountDownLatch release = GroupCommitters.holdWriters(committer);
        CompletableFuture<String> before = committer.submit(rows, "a");
        CompletableFuture<String> refused = committer.submit(rows, "refuse-b");
        CompletableFuture<String> after = committer.submit(rows, "c");
        release.countDown();

        assertThat(before.get(10, TimeUnit.SECONDS)).isEqualTo("a");
        assertThat(after.get(10, TimeUnit.SECONDS)).isEqualTo("c");
        assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessage("refused refuse-b");
        assertThat(batches).as("one transaction for all three").containsExactly(3);
        assertThat(ids()).containsExactlyInAnyOrder("a", "c");
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void anItemThatBreaksTheBatch_failsAlone_theOthersAreWrittenOneByOne(TestDatabases.Kind kind) throws Exception {
        start(kind, 100, 100);
        database.jdbi().useHandle(handle -> handle.execute("INSERT INTO group_commit_items (id) VALUES ('taken')"));
        CountDownLatch release = GroupCommitters.holdWriters(committer);
        List<CompletableFuture<String>> good = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            good.add(committer.submit(rows, "good-" + i));
        }
        CompletableFuture<String> duplicate = committer.submit(rows, "taken");
        for (int i = 5; i < 10; i++) {
            good.add(committer.submit(rows, "good-" + i));
        }
        release.countDown();

        for (CompletableFuture<String> item : good) {
            assertThat(item.get(10, TimeUnit.SECONDS)).startsWith("good-");
        }
        assertThatThrownBy(() -> duplicate.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().hasMessageContaining("group_commit_items");
        assertThat(batches).as("the batch of 11, then each item alone").startsWith(11).hasSize(12);
        assertThat(count()).isEqualTo(11);
    }

    @Test
    void whileAnotherConnectionHoldsSQLitesWriteLock_aBatchFailsAfterOneBusyTimeout_notOnePerItem() {
        start(TestDatabases.Kind.SQLITE, 100, 100);
        List<CompletableFuture<String>> items = new ArrayList<>();
        long started;
        try (Handle locker = database.jdbi().open()) {
            locker.begin(); // BEGIN IMMEDIATE: SQLite's write lock until rollback
            started = System.nanoTime();
            // Each batch waits out one busy timeout (one or two batches, as the writer picks them up);
            // retried item by item, each item would wait out one more.
            for (int i = 0; i < 5; i++) {
                items.add(committer.submit(rows, "locked-out-" + i));
            }
            for (CompletableFuture<String> item : items) {
                assertThatThrownBy(() -> item.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .rootCause().hasMessageContaining("SQLITE_BUSY");
            }
            locker.rollback();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(took).as("at most two busy timeouts of %d ms, not one more per item", Database.SQLITE_BUSY_TIMEOUT_MS)
                .isLessThan(Duration.ofMillis(4L * Database.SQLITE_BUSY_TIMEOUT_MS));
        assertThat(count()).isZero();
        assertThat(GroupCommitter.await(committer.submit(rows, "after"))).as("works again once the lock is free")
                .isEqualTo("after");
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aFullQueue_refusesAtOnceWithStoreBusy_writesNothingForIt_andTheQueuedOnesStillCommit(TestDatabases.Kind kind)
            throws Exception {
        start(kind, 3, 100);
        CountDownLatch release = GroupCommitters.holdWriters(committer);
        List<CompletableFuture<String>> queued = List.of(committer.submit(rows, "q1"), committer.submit(rows, "q2"),
                committer.submit(rows, "q3"));
        CompletableFuture<String> overflow = committer.submit(rows, "overflow");

        assertThat(overflow).isCompletedExceptionally();
        assertThatThrownBy(overflow::join).cause().isInstanceOf(StoreBusyException.class)
                .hasMessage("Too many writes are waiting for the store (3 queued); retry shortly.")
                .extracting(e -> ((StoreBusyException) e).code()).isEqualTo("store_busy");
        release.countDown();
        for (CompletableFuture<String> item : queued) {
            item.get(10, TimeUnit.SECONDS);
        }
        assertThat(ids()).containsExactlyInAnyOrder("q1", "q2", "q3");
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void close_commitsEverythingQueued_thenRefusesNewWritesAsShuttingDown(TestDatabases.Kind kind) throws Exception {
        start(kind, 100, 7);
        CountDownLatch release = GroupCommitters.holdWriters(committer);
        List<CompletableFuture<String>> queued = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            queued.add(committer.submit(rows, "queued-" + i));
        }
        CompletableFuture<Void> closing = CompletableFuture.runAsync(committer::close);
        Thread.sleep(200);
        assertThat(closing).as("close waits for the queue to drain").isNotDone();
        long released = System.nanoTime();
        release.countDown();
        closing.get(30, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - released))
                .as("the writers stop once the queue is empty, not after an idle wait of a second")
                .isLessThan(Duration.ofMillis(900));

        assertThat(queued).allMatch(item -> item.isDone() && !item.isCompletedExceptionally());
        assertThat(count()).isEqualTo(20);
        assertThat(batches).as("at most maxBatch per transaction").containsExactlyInAnyOrder(7, 7, 6);
        CompletableFuture<String> late = committer.submit(rows, "late");
        assertThatThrownBy(late::join).cause().isInstanceOf(StoreBusyException.class)
                .extracting(e -> ((StoreBusyException) e).code()).isEqualTo("shutting_down");
        assertThat(exists("late")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void close_wakesIdleWriters_insteadOfWaitingForTheirPollToEnd(TestDatabases.Kind kind) throws Exception {
        start(kind, 100, 7);
        committer.submit(rows, "one").get(10, TimeUnit.SECONDS);
        Thread.sleep(100); // every writer back in its idle wait, which lasts a second

        long started = System.nanoTime();
        committer.close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(500));
        assertThat(batches).as("nothing but the one item written").containsExactly(1);
        committer = null;
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void onPostgres_aSecondBatchCommitsWhileTheFirstIsInItsTransaction_onSQLiteItWaits(TestDatabases.Kind kind)
            throws Exception {
        start(kind, 100, 100);
        AtomicInteger inTransaction = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        BatchWrite<String, String> slow = (handle, items) -> {
            inTransaction.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inTransaction.decrementAndGet();
            return rows.write(handle, items);
        };
        CompletableFuture<String> first = committer.submit(slow, "first");
        CompletableFuture<String> second;
        try {
            Await.until("the first batch in its transaction", Duration.ofSeconds(10), () -> inTransaction.get() == 1);
            second = committer.submit(slow, "second");
            if (kind == TestDatabases.Kind.POSTGRES) {
                Await.until("the second batch in its transaction too", Duration.ofSeconds(10),
                        () -> inTransaction.get() == 2);
            } else {
                Thread.sleep(300);
                assertThat(inTransaction).as("SQLite has one write lock: one writer").hasValue(1);
            }
        } finally {
            release.countDown();
        }
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("second");
        assertThat(ids()).containsExactlyInAnyOrder("first", "second");
    }

    @Test
    void onPostgres_writersLeaveAPooledConnectionForEverythingElse() {
        start(TestDatabases.Kind.POSTGRES, 10, 10);
        assertThat(committer.writers()).as("pool of %d", database.poolSize()).isEqualTo(GroupCommitter.POSTGRES_WRITERS);
        StoreConfig config = store.config();
        try (Database small = Database.open(new StoreConfig(config.jdbcUrl(), config.username(), config.password(),
                        config.schema(), 2));
                GroupCommitter oneWriter = GroupCommitter.start(small)) {
            assertThat(oneWriter.writers()).isEqualTo(1);
            assertThat(GroupCommitter.await(oneWriter.submit(rows, "with-one-writer"))).isEqualTo("with-one-writer");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void await_rethrowsTheItemsOwnFailureUnwrapped(TestDatabases.Kind kind) {
        start(kind, 10, 10);
        assertThat(GroupCommitter.await(committer.submit(rows, "x"))).isEqualTo("x");
        assertThatThrownBy(() -> GroupCommitter.await(committer.submit(rows, "refuse-y")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("refused refuse-y");
    }

    private void start(TestDatabases.Kind kind, int capacity, int maxBatch) {
        store = kind.create(dir);
        database = store.open();
        database.jdbi().useHandle(handle -> handle.execute("CREATE TABLE group_commit_items (id TEXT PRIMARY KEY)"));
        committer = GroupCommitter.start(database, capacity, maxBatch);
    }

    private boolean exists(String id) {
        return database.jdbi().withHandle(handle -> handle.createQuery(
                "SELECT COUNT(*) FROM group_commit_items WHERE id = :id").bind("id", id).mapTo(Integer.class).one()) == 1;
    }

    private int count() {
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM group_commit_items")
                .mapTo(Integer.class).one());
    }

    private List<String> ids() {
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT id FROM group_commit_items")
                .mapTo(String.class).list());
    }
}
