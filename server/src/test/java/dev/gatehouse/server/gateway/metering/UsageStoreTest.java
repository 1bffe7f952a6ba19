package dev.gatehouse.server.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.gatehouse.server.gateway.metering.UsageConfig.Durability;
import dev.gatehouse.server.gateway.metering.UsageConfig.OnStoreUnavailable;
import dev.gatehouse.server.gateway.metering.UsageReport.Group;
import dev.gatehouse.server.gateway.metering.UsageReport.Totals;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.StoreHealth;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import dev.gatehouse.server.testing.Await;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/** The batched usage writer and the usage aggregation, on SQLite and the real PostgreSQL. */
class UsageStoreTest {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    static final Caller ALICE = new Caller("acme", "alice", null, "tok-a", "pat");
    static final Caller SANDBOX = new Caller("acme", null, "sb-1", "tok-s", "sandbox");
    static final Caller GLOBEX = new Caller("globex", "bob", null, "tok-b", "pat");

    @TempDir
    Path dir;

    private TestStore store;
    private final List<StoreHealth> healths = new ArrayList<>();
    private final List<Runnable> detach = new ArrayList<>();

    @AfterEach
    void drop() throws Exception {
        detach.forEach(Runnable::run);
        healths.forEach(StoreHealth::close);
        if (store != null) {
            store.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void recordsSurviveARestart_closeFlushesEverythingQueued(TestDatabases.Kind kind) {
        store = kind.create(dir);
        Database first = store.open();
        JdbcUsageSink sink = sink(first, config(Durability.BATCHED, Duration.ofSeconds(10)),
                new JdbcUsageSink.Settings(10_000, 7, Duration.ofMinutes(1), Duration.ofSeconds(30)));
        for (int i = 0; i < 1_000; i++) {
            sink.record(record(ALICE, T0.plusMillis(i), "ch-1", "gpt-4o", 10, 5, Outcome.COMPLETED));
        }
        sink.record(record(ALICE, T0, "ch-1", "gpt-4o", 7, 2, Outcome.ABORTED));
        sink.record(record(ALICE, T0, null, "gpt-4o", 0, 0, Outcome.FAILED));

        sink.close();
        first.close();

        Database reopened = store.open();
        UsageReport report = new JdbcUsageReports(reopened).report(new UsageQuery(T0, T0.plusSeconds(60),
                List.of(), Map.of()));
        Group all = report.groups().getFirst();
        assertThat(all.total()).isEqualTo(new Totals(1_002, 10_007, 5_002, 0));
        assertThat(all.byOutcome()).containsEntry(Outcome.ABORTED, new Totals(1, 7, 2, 0))
                .containsEntry(Outcome.FAILED, new Totals(1, 0, 0, 0));
        assertThat(sink.droppedRecords()).isZero();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void batchesInsertedInSlices_keepEveryRowInOrder_withConsecutiveIds(TestDatabases.Kind kind) {
        store = kind.create(dir);
        Database database = store.open();
        int count = 2 * UsageRows.ROWS_PER_SLICE + 5;
        List<UsageRecord> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(record(ALICE, T0.plusMillis(i), "ch-1", "gpt-4o", i, 1, Outcome.COMPLETED));
        }

        int whole = 2 * UsageRows.ROWS_PER_SLICE;
        AtomicInteger asked = new AtomicInteger();
        BooleanSupplier yieldAndCount = () -> {
            asked.incrementAndGet();
            return true;
        };
        database.jdbi().useTransaction(handle -> UsageRows.insert(handle, batch, yieldAndCount));
        assertThat(asked).as("asked between slices, not after the last").hasValue(2);
        database.jdbi().useTransaction(handle -> UsageRows.insert(handle, batch.subList(0, whole), yieldAndCount));
        assertThat(asked).hasValue(3);
        database.jdbi().useTransaction(handle -> UsageRows.insert(handle, batch, () -> false));
        AtomicInteger alternate = new AtomicInteger();
        database.jdbi().useTransaction(handle -> UsageRows.insert(handle, batch.subList(0, 3),
                () -> alternate.incrementAndGet() % 2 == 0));
        database.jdbi().useTransaction(handle -> UsageRows.insert(handle, batch,
                () -> alternate.incrementAndGet() % 2 == 0));

        List<String> rows = database.jdbi().withHandle(handle -> handle.createQuery(
                "SELECT id, request_id, prompt_tokens FROM usage_records ORDER BY id")
                .map((rs, ctx) -> rs.getLong("id") + ":" + rs.getString("request_id") + ":" + rs.getLong("prompt_tokens"))
                .list());
        List<String> expected = new ArrayList<>();
        int id = 0;
        for (int inserted : new int[] {count, whole, count, 3, count}) {
            for (int n = 0; n < inserted; n++) {
                expected.add(++id + ":req-" + T0.plusMillis(n).toEpochMilli() + ":" + n);
            }
        }
        assertThat(rows).containsExactlyElementsOf(expected);
        database.close();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aRecordIsWrittenWithinTheFlushInterval_withoutClosing(TestDatabases.Kind kind) throws Exception {
        store = kind.create(dir);
        Database database = store.open();
        try (JdbcUsageSink sink = sink(database, config(Durability.BATCHED, Duration.ofMillis(200)),
                JdbcUsageSink.Settings.DEFAULTS)) {
            CompletableFuture<Void> recorded = sink.record(record(SANDBOX, T0, "ch-1", "m", 1, 1, Outcome.COMPLETED))
                    .toCompletableFuture();

            assertThat(recorded).as("batched: the response need not wait").isDone();
            Await.until("the row", Duration.ofSeconds(5), () -> rows(database) == 1);
            Map<String, Object> row = database.jdbi().withHandle(handle -> handle
                    .createQuery("SELECT * FROM usage_records").mapToMap().one());
            assertThat(row).containsEntry("organization", "acme").containsEntry("sandbox", "sb-1")
                    .containsEntry("token_type", "sandbox").containsEntry("outcome", "completed")
                    .containsEntry("request_id", "req-" + T0.toEpochMilli());
            assertThat(((Number) row.get("occurred_at")).longValue()).isEqualTo(T0.toEpochMilli());
            assertThat(row.get("user_id")).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void strict_aRecordsStageCompletesOnlyOnceItsRowIsCommitted(TestDatabases.Kind kind) throws Exception {
        store = kind.create(dir);
        Database database = store.open();
        // Batches large enough that nothing goes through the spool: every record is committed by the writer.
        try (JdbcUsageSink sink = sink(database, config(Durability.STRICT, Duration.ofSeconds(10)),
                new JdbcUsageSink.Settings(10_000, 5_000, Duration.ofMinutes(1), Duration.ofSeconds(30)))) {
            List<CompletableFuture<Void>> recorded = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                recorded.add(sink.record(record(ALICE, T0.plusMillis(i), "ch", "m", 1, 1, Outcome.COMPLETED))
                        .toCompletableFuture());
            }

            recorded.getFirst().get(5, TimeUnit.SECONDS);
            assertThat(rows(database)).as("committed before its stage completed").isPositive();
            CompletableFuture.allOf(recorded.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(rows(database)).isEqualTo(2_000);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void theWriterYieldsBetweenSlices_onlyOnSQLite_andOnlyWhileNoRecordWaitedLongerThanTheFlushInterval(
            TestDatabases.Kind kind) throws Exception {
        store = kind.create(dir);
        Database database = store.open();
        Duration flushInterval = Duration.ofSeconds(2);
        JdbcUsageSink sink = JdbcUsageSink.start(database, health(database), new SimpleMeterRegistry(),
                config(Durability.BATCHED, flushInterval, OnStoreUnavailable.REFUSE, 1024L * 1024),
                new JdbcUsageSink.Settings(100, 10, Duration.ofMinutes(1), Duration.ofMillis(200)));
        boolean onSqlite = kind == TestDatabases.Kind.SQLITE;
        assertThat(sink.yieldsBetweenSlices()).as("nothing waiting").isEqualTo(onSqlite);

        database.close(); // the writer now waits for the store with at most one batch (10) taken
        long queued = System.nanoTime();
        for (int i = 0; i < 40; i++) {
            sink.record(record(ALICE, T0, "ch", "m", 1, 1, Outcome.COMPLETED));
        }
        Thread.sleep(flushInterval.dividedBy(10).toMillis());
        assertThat(sink.yieldsBetweenSlices()).as("30 waiting, for less than the interval").isEqualTo(onSqlite);

        if (onSqlite) {
            Await.until("a record waited longer than the flush interval: the writer catches up",
                    Duration.ofSeconds(5), () -> !sink.yieldsBetweenSlices());
            assertThat(Duration.ofNanos(System.nanoTime() - queued)).isGreaterThanOrEqualTo(flushInterval);
        }
        sink.close();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aWriterThatFellBehind_spoolsWhatWaitedLongerThanTwiceTheFlushInterval_howeverFewRecordsWait(
            TestDatabases.Kind kind) throws Exception {
        store = kind.create(dir);
        Database database = store.open();
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        Duration flushInterval = Duration.ofMillis(100);
        // Batches of one: the writer takes nothing more once it has its first record.
        JdbcUsageSink sink = JdbcUsageSink.start(database, health(database), metrics,
                config(Durability.BATCHED, flushInterval),
                new JdbcUsageSink.Settings(50_000, 1, Duration.ofMinutes(1), Duration.ofSeconds(30)));
        try (Handle lock = stallTheWriter(database)) {
            letTheStalledWriterTakeOne(sink);

            long queued = System.nanoTime();
            recordMore(sink, 10);
            Counter spooled = metrics.get("gatehouse.usage.records.spooled").counter();
            Await.until("the ten waiting records spooled", Duration.ofSeconds(4), () -> spooled.count() == 10);
            assertThat(Duration.ofNanos(System.nanoTime() - queued)).as("not before they waited twice the interval")
                    .isGreaterThanOrEqualTo(flushInterval.multipliedBy(2));
            lock.rollback();
        }
        sink.close(); // writes the stalled record and replays the spool

        assertThat(rows(database)).isEqualTo(11);
        assertThat(metrics.get("gatehouse.usage.records.written").counter().count()).isEqualTo(1);
    }

    @Test
    void aWriterThatFellBehind_spoolsWhatIsAboveHalfTheQueue_beforeAnyRecordWaitedLong() throws Exception {
        store = TestDatabases.sqlite(dir);
        Database database = store.open();
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        JdbcUsageSink sink = JdbcUsageSink.start(database, health(database), metrics,
                config(Durability.BATCHED, Duration.ofSeconds(10)),
                new JdbcUsageSink.Settings(40, 1, Duration.ofMinutes(1), Duration.ofSeconds(30)));
        try (Handle lock = stallTheWriter(database)) {
            letTheStalledWriterTakeOne(sink);

            recordMore(sink, 25);
            Counter spooled = metrics.get("gatehouse.usage.records.spooled").counter();
            Await.until("the five above half the queue (20) spooled", Duration.ofSeconds(4), () -> spooled.count() == 5);
            Thread.sleep(200);
            assertThat(spooled.count()).as("and no more: none has waited 20 s").isEqualTo(5);
            assertThat(sink.backlog()).isEqualTo(20);
            lock.rollback();
        }
        sink.close();

        assertThat(rows(database)).isEqualTo(26);
    }

    @Test
    void aWriterThatFellBehind_withTheSpoolFull_keepsWhatCannotBeSpooled_insteadOfDroppingIt() throws Exception {
        long spoolMaxBytes = 1024L * 1024;
        UsageSpool full = UsageSpool.open(dir.resolve("spool"), spoolMaxBytes);
        List<UsageRecord> hundred = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hundred.add(record(ALICE, T0.plusMillis(i), "ch", "m", 1, 1, Outcome.COMPLETED));
        }
        while (full.append(hundred) == hundred.size()) {
            // fills the spool to its limit
        }
        full.close();
        store = TestDatabases.sqlite(dir);
        Database database = store.open();
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (Handle lock = stallTheWriter(database)) { // and the replay of the full spool
            JdbcUsageSink sink = JdbcUsageSink.start(database, health(database), metrics,
                    config(Durability.BATCHED, Duration.ofMillis(100), OnStoreUnavailable.SPOOL, spoolMaxBytes),
                    new JdbcUsageSink.Settings(50_000, 1, Duration.ofMinutes(1), Duration.ofSeconds(30)));
            letTheStalledWriterTakeOne(sink);
            recordMore(sink, 10);

            Thread.sleep(800); // four times as long as a record may wait before it is spooled
            assertThat(sink.droppedRecords()).as("none dropped for want of spool space").isZero();
            assertThat(sink.backlog()).as("they wait for the writer").isEqualTo(10);
            lock.rollback();
            sink.close();
        }
        assertThat(metrics.get("gatehouse.usage.records.written").counter().count()).isEqualTo(11);
    }

    /** Records one usage and waits until the stalled writer has taken it: what comes next waits in the queue. */
    private static void letTheStalledWriterTakeOne(JdbcUsageSink sink) {
        sink.record(record(ALICE, T0, "ch", "m", 1, 1, Outcome.COMPLETED));
        Await.until("the writer took the first record", Duration.ofSeconds(5), () -> sink.backlog() == 0);
    }

    private static void recordMore(JdbcUsageSink sink, int count) {
        for (int i = 1; i <= count; i++) {
            sink.record(record(ALICE, T0.plusMillis(i), "ch", "m", 1, 1, Outcome.COMPLETED));
        }
    }

    /**
     * A transaction holding the usage counter's row (and on SQLite the write lock): the writer stalls
     * on its next batch while the store stays up, as behind a store slower than the traffic.
     */
    private static Handle stallTheWriter(Database database) {
        Handle lock = database.jdbi().open();
        lock.begin();
        lock.execute("UPDATE usage_record_counter SET value = value WHERE id = 1");
        return lock;
    }

    @Test
    void noSpool_fullQueue_dropsAndCountsEveryRecordExactly_neverBlocksTheCaller() throws Exception {
        store = TestDatabases.sqlite(dir);
        Database database = store.open();
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        ListAppender<ILoggingEvent> logs = capture(DroppedRecords.class);
        StoreHealth health = health(database);
        JdbcUsageSink sink = JdbcUsageSink.start(database, health, metrics, config(Durability.BATCHED,
                Duration.ofMillis(10), OnStoreUnavailable.REFUSE, 1024L * 1024),
                new JdbcUsageSink.Settings(5, 5, Duration.ofMinutes(1), Duration.ofMillis(200)));
        database.close(); // the writer now waits for the store while records keep coming

        long started = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            sink.record(record(ALICE, T0, "ch", "m", 1, 1, Outcome.COMPLETED));
        }
        long elapsed = System.nanoTime() - started;
        sink.close();

        assertThat(Duration.ofNanos(elapsed)).isLessThan(Duration.ofSeconds(2));
        double lostInWriter = metrics.get("gatehouse.usage.records.lost").counter().count();
        assertThat(sink.droppedRecords() + (long) lostInWriter).as("every record dropped or lost, none twice")
                .isEqualTo(10_000);
        assertThat(metrics.get("gatehouse.usage.records.dropped").tag("reason", "queue_full").counter().count()
                + metrics.get("gatehouse.usage.records.dropped").tag("reason", "closed").counter().count())
                .isEqualTo((double) sink.droppedRecords());
        assertThat(loggedDrops(logs)).as("the log adds up to the metric").isEqualTo(sink.droppedRecords());
        assertThat(metrics.get("gatehouse.usage.records.written").counter().count()).isZero();
    }

    @Test
    void storeAway_spoolFull_countsEveryRecordSpooledOrDropped_exactly() throws Exception {
        store = TestDatabases.sqlite(dir);
        Database database = store.open();
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        ListAppender<ILoggingEvent> logs = capture(DroppedRecords.class);
        StoreHealth health = health(database);
        health.reportUnreachable(new IllegalStateException("test: the store is away"));
        database.close(); // and stays away: the probe cannot bring it back
        JdbcUsageSink sink = JdbcUsageSink.start(database, health, metrics, config(Durability.BATCHED,
                Duration.ofMillis(10), OnStoreUnavailable.SPOOL, 1024L * 1024), JdbcUsageSink.Settings.DEFAULTS);

        for (int i = 0; i < 20_000; i++) {
            sink.record(record(ALICE, T0.plusMillis(i), "ch", "m", 1, 1, Outcome.COMPLETED));
        }
        sink.close();

        double spooled = metrics.get("gatehouse.usage.records.spooled").counter().count();
        double spoolFull = metrics.get("gatehouse.usage.records.dropped").tag("reason", "spool_full").counter().count();
        assertThat(spooled).as("1 MiB holds a few thousand records").isBetween(1_000.0, 10_000.0);
        assertThat(spooled + spoolFull).isEqualTo(20_000);
        assertThat(sink.droppedRecords()).isEqualTo((long) spoolFull);
        assertThat(loggedDrops(logs)).isEqualTo(sink.droppedRecords());
        assertThat(logs.list).anySatisfy(event -> assertThat(event.getKeyValuePairs().toString())
                .contains("droppedTotal=\"" + (long) spoolFull + "\""));
    }

    @Test
    void recordsAfterClose_areDroppedAndCounted() throws Exception {
        store = TestDatabases.sqlite(dir);
        Database database = store.open();
        JdbcUsageSink sink = sink(database, config(Durability.STRICT, Duration.ofMillis(100)),
                JdbcUsageSink.Settings.DEFAULTS);
        sink.close();

        CompletableFuture<Void> recorded = sink.record(record(ALICE, T0, "ch", "m", 1, 1, Outcome.COMPLETED))
                .toCompletableFuture();

        assertThat(sink.droppedRecords()).isEqualTo(1);
        assertThat(recorded).as("strict: never durable, so the response must not end as complete")
                .isCompletedExceptionally();
        assertThat(rows(database)).isZero();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void report_sumsPerGroupAndOutcome_overAHalfOpenTimeRange_withFilters(TestDatabases.Kind kind) {
        store = kind.create(dir);
        Database database = store.open();
        seed(database);
        JdbcUsageReports reports = new JdbcUsageReports(database);

        UsageReport byOrgModel = reports.report(new UsageQuery(T0, T0.plusSeconds(3600),
                List.of(UsageDimension.ORGANIZATION, UsageDimension.MODEL), Map.of()));

        assertThat(byOrgModel.truncated()).isFalse();
        assertThat(byOrgModel.groups()).extracting(group -> List.copyOf(group.key().values()))
                .containsExactly(List.of("acme", "embed-1"), List.of("acme", "gpt-4o"), List.of("globex", "gpt-4o"));
        Group acmeGpt = byOrgModel.groups().get(1);
        assertThat(acmeGpt.total()).isEqualTo(new Totals(4, 100 + 50 + 30 + 0, 20 + 10 + 3 + 0, 0));
        assertThat(acmeGpt.byOutcome()).containsExactly(
                Map.entry(Outcome.COMPLETED, new Totals(2, 150, 30, 0)),
                Map.entry(Outcome.ABORTED, new Totals(1, 30, 3, 0)),
                Map.entry(Outcome.FAILED, new Totals(1, 0, 0, 0)));

        UsageReport byChannel = reports.report(new UsageQuery(T0, T0.plusSeconds(3600),
                List.of(UsageDimension.CHANNEL), Map.of(UsageDimension.ORGANIZATION, "acme")));
        assertThat(byChannel.groups()).extracting(group -> group.key().get(UsageDimension.CHANNEL))
                .as("the failed request that never reached a channel is its own group, first")
                .containsExactly(null, "ch-1", "ch-2");

        UsageReport sandboxOnly = reports.report(new UsageQuery(T0, T0.plusSeconds(3600),
                List.of(UsageDimension.SANDBOX, UsageDimension.TOKEN, UsageDimension.USER),
                Map.of(UsageDimension.SANDBOX, "sb-1")));
        assertThat(sandboxOnly.groups()).singleElement().satisfies(group -> {
            assertThat(group.key()).containsEntry(UsageDimension.TOKEN, "tok-s").containsEntry(UsageDimension.USER, null);
            assertThat(group.total()).isEqualTo(new Totals(1, 8, 0, 0));
        });

        UsageReport firstSecond = reports.report(new UsageQuery(T0, T0.plusSeconds(1), List.of(), Map.of()));
        assertThat(firstSecond.groups().getFirst().total().requests())
                .as("to is exclusive: the record at T0+1s is not counted").isEqualTo(1);

        UsageReport nothing = reports.report(new UsageQuery(T0.minusSeconds(100), T0.minusSeconds(50), List.of(UsageDimension.MODEL),
                Map.of()));
        assertThat(nothing.groups()).isEmpty();
    }

    static void seed(Database database) {
        database.jdbi().useTransaction(handle -> UsageRows.insert(handle, List.of(
                record(ALICE, T0, "ch-1", "gpt-4o", 100, 20, Outcome.COMPLETED),
                record(ALICE, T0.plusSeconds(1), "ch-2", "gpt-4o", 50, 10, Outcome.COMPLETED),
                record(ALICE, T0.plusSeconds(2), "ch-1", "gpt-4o", 30, 3, Outcome.ABORTED),
                record(ALICE, T0.plusSeconds(3), null, "gpt-4o", 0, 0, Outcome.FAILED),
                record(SANDBOX, T0.plusSeconds(4), "ch-1", "embed-1", 8, 0, Outcome.COMPLETED),
                record(GLOBEX, T0.plusSeconds(5), "ch-1", "gpt-4o", 1000, 1, Outcome.COMPLETED),
                record(GLOBEX, T0.plusSeconds(3600), "ch-1", "gpt-4o", 5, 5, Outcome.COMPLETED),
                record(GLOBEX, T0.minusMillis(1), "ch-1", "gpt-4o", 5, 5, Outcome.COMPLETED)), () -> true));
    }

    static UsageRecord record(Caller caller, Instant at, String channel, String model, long prompt, long completion,
            Outcome outcome) {
        int status = outcome == Outcome.FAILED ? 502 : 200;
        return new UsageRecord(at, "req-" + at.toEpochMilli(), caller, channel, model, prompt, completion, outcome,
                status, 42, 0);
    }

    private JdbcUsageSink sink(Database database, UsageConfig config, JdbcUsageSink.Settings settings) {
        return JdbcUsageSink.start(database, health(database), new SimpleMeterRegistry(), config, settings);
    }

    private StoreHealth health(Database database) {
        StoreHealth health = StoreHealth.start(database, Duration.ofMinutes(1));
        healths.add(health);
        return health;
    }

    private UsageConfig config(Durability durability, Duration flushInterval) {
        return config(durability, flushInterval, OnStoreUnavailable.SPOOL, UsageConfig.DEFAULT_SPOOL_MAX_BYTES);
    }

    private UsageConfig config(Durability durability, Duration flushInterval, OnStoreUnavailable onStoreUnavailable,
            long spoolMaxBytes) {
        return new UsageConfig(durability, onStoreUnavailable, flushInterval, dir.resolve("spool"), spoolMaxBytes);
    }

    private ListAppender<ILoggingEvent> capture(Class<?> type) {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Logger logger = (Logger) LoggerFactory.getLogger(type);
        logger.addAppender(appender);
        detach.add(() -> logger.detachAppender(appender));
        return appender;
    }

    /** The sum of the {@code dropped} counts of the drop reports. */
    private static long loggedDrops(ListAppender<ILoggingEvent> logs) {
        return logs.list.stream().flatMap(event -> event.getKeyValuePairs().stream())
                .filter(pair -> pair.key.equals("dropped")).mapToLong(pair -> ((Number) pair.value).longValue()).sum();
    }

    private static long rows(Database database) {
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM usage_records")
                .mapTo(Long.class).one());
    }
}
