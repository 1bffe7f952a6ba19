package dev.gatehouse.server.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.gateway.metering.UsageReport.Group;
import dev.gatehouse.server.gateway.metering.UsageReport.Totals;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The batched usage writer and the usage aggregation, on SQLite and the real PostgreSQL. */
class UsageStoreTest {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    static final Caller ALICE = new Caller("acme", "alice", null, "tok-a", "pat");
    static final Caller SANDBOX = new Caller("acme", null, "sb-1", "tok-s", "sandbox");
    static final Caller GLOBEX = new Caller("globex", "bob", null, "tok-b", "pat");

    @TempDir
    Path dir;

    private TestStore store;

    @AfterEach
    void drop() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void recordsSurviveARestart_closeFlushesEverythingQueued(TestDatabases.Kind kind) {
        store = kind.create(dir);
        Database first = store.open();
        JdbcUsageSink sink = JdbcUsageSink.start(first, new SimpleMeterRegistry(),
                new JdbcUsageSink.Settings(10_000, 7, Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofSeconds(30)));
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
    void aRecordIsWrittenWithinTheFlushInterval_withoutClosing(TestDatabases.Kind kind) throws Exception {
        store = kind.create(dir);
        Database database = store.open();
        try (JdbcUsageSink sink = JdbcUsageSink.start(database, new SimpleMeterRegistry(),
                new JdbcUsageSink.Settings(100, 500, Duration.ofMillis(200), Duration.ofMinutes(1), Duration.ofSeconds(30)))) {
            sink.record(record(SANDBOX, T0, "ch-1", "m", 1, 1, Outcome.COMPLETED));

            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (rows(database) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(rows(database)).isEqualTo(1);
            Map<String, Object> row = database.jdbi().withHandle(handle -> handle
                    .createQuery("SELECT * FROM usage_records").mapToMap().one());
            assertThat(row).containsEntry("organization", "acme").containsEntry("sandbox", "sb-1")
                    .containsEntry("token_type", "sandbox").containsEntry("outcome", "completed")
                    .containsEntry("request_id", "req-" + T0.toEpochMilli());
            assertThat(((Number) row.get("occurred_at")).longValue()).isEqualTo(T0.toEpochMilli());
            assertThat(row.get("user_id")).isNull();
        }
    }

    @Test
    void fullQueue_dropsAndCountsRecords_neverBlocksTheCaller() throws Exception {
        store = TestDatabases.sqlite(dir);
        Database database = store.open();
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        JdbcUsageSink sink = JdbcUsageSink.start(database, metrics,
                new JdbcUsageSink.Settings(5, 5, Duration.ofMillis(10), Duration.ofMinutes(1), Duration.ofSeconds(30)));
        database.close(); // the writer now fails and backs off while records keep coming

        long started = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            sink.record(record(ALICE, T0, "ch", "m", 1, 1, Outcome.COMPLETED));
        }
        long elapsed = System.nanoTime() - started;

        assertThat(Duration.ofNanos(elapsed)).isLessThan(Duration.ofSeconds(2));
        assertThat(sink.droppedRecords()).isGreaterThanOrEqualTo(10_000 - 10);
        assertThat(metrics.get("gatehouse.usage.records.dropped").counter().count())
                .isEqualTo((double) sink.droppedRecords());
        sink.close();
        assertThat(metrics.get("gatehouse.usage.records.written").counter().count()).isZero();
    }

    @Test
    void recordsAfterClose_areDroppedAndCounted() throws Exception {
        store = TestDatabases.sqlite(dir);
        Database database = store.open();
        JdbcUsageSink sink = JdbcUsageSink.start(database, new SimpleMeterRegistry());
        sink.close();

        sink.record(record(ALICE, T0, "ch", "m", 1, 1, Outcome.COMPLETED));

        assertThat(sink.droppedRecords()).isEqualTo(1);
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
        try (JdbcUsageSink sink = JdbcUsageSink.start(database, new SimpleMeterRegistry())) {
            sink.record(record(ALICE, T0, "ch-1", "gpt-4o", 100, 20, Outcome.COMPLETED));
            sink.record(record(ALICE, T0.plusSeconds(1), "ch-2", "gpt-4o", 50, 10, Outcome.COMPLETED));
            sink.record(record(ALICE, T0.plusSeconds(2), "ch-1", "gpt-4o", 30, 3, Outcome.ABORTED));
            sink.record(record(ALICE, T0.plusSeconds(3), null, "gpt-4o", 0, 0, Outcome.FAILED));
            sink.record(record(SANDBOX, T0.plusSeconds(4), "ch-1", "embed-1", 8, 0, Outcome.COMPLETED));
            sink.record(record(GLOBEX, T0.plusSeconds(5), "ch-1", "gpt-4o", 1000, 1, Outcome.COMPLETED));
            sink.record(record(GLOBEX, T0.plusSeconds(3600), "ch-1", "gpt-4o", 5, 5, Outcome.COMPLETED));
            sink.record(record(GLOBEX, T0.minusMillis(1), "ch-1", "gpt-4o", 5, 5, Outcome.COMPLETED));
        }
    }

    static UsageRecord record(Caller caller, Instant at, String channel, String model, long prompt, long completion,
            Outcome outcome) {
        int status = outcome == Outcome.FAILED ? 502 : 200;
        return new UsageRecord(at, "req-" + at.toEpochMilli(), caller, channel, model, prompt, completion, outcome,
                status, 42, 0);
    }

    private static long rows(Database database) {
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM usage_records")
                .mapTo(Long.class).one());
    }
}
