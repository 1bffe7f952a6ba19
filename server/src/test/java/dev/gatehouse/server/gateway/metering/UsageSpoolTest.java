package dev.gatehouse.server.gateway.metering;

import static dev.gatehouse.server.gateway.metering.UsageStoreTest.ALICE;
import static dev.gatehouse.server.gateway.metering.UsageStoreTest.SANDBOX;
import static dev.gatehouse.server.gateway.metering.UsageStoreTest.T0;
import static dev.gatehouse.server.gateway.metering.UsageStoreTest.record;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.StoreHealth;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import dev.gatehouse.server.testing.Await;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/** The usage spool on disk and its replay into the store. */
class UsageSpoolTest {
    @TempDir
    Path dir;

    @Test
    void appendedRecords_readBackEqual_acrossSegments_andATornTailIsSkipped() throws IOException {
        List<UsageRecord> records = records(1_200);
        Path segment;
        try (UsageSpool spool = UsageSpool.open(dir, 1024L * 1024 * 1024)) {
            assertThat(spool.append(records.subList(0, 700))).isEqualTo(700);
            assertThat(spool.append(records.subList(700, 1_200))).isEqualTo(500);
            List<Path> sealed = spool.seal();
            assertThat(sealed).hasSize(1);
            segment = sealed.getFirst();
            assertThat(spool.bytes()).isEqualTo(Files.size(segment));
        }
        Files.write(segment, new byte[] {0, 0, 1, 0, 1, 2, 3}, StandardOpenOption.APPEND); // a write cut short

        List<UsageRecord> read = new ArrayList<>();
        try (SpoolReader reader = SpoolReader.open(segment, 0)) {
            for (SpoolReader.Batch batch = reader.next(500); !batch.records().isEmpty(); batch = reader.next(500)) {
                read.addAll(batch.records());
            }
            assertThat(reader.tornBytes()).isEqualTo(7);
        }
        assertThat(read).isEqualTo(records);
    }

    @Test
    void anEntryWithAFieldThisVersionDoesNotKnow_andWithoutOneItExpects_stillReads() throws IOException {
        String json = """
                {"at":"2026-03-01T10:00:00Z","requestId":"r-1","caller":{"organization":"acme","user":"alice",
                 "sandbox":null,"tokenId":"t-1","tokenType":"pat","region":"eu"},"channel":"ch","model":"m",
                 "promptTokens":5,"completionTokens":3,"outcome":"COMPLETED","status":200,"spend":"0.0012"}""";
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(body);
        Path segment = dir.resolve("usage-0000000000001-00.spool");
        Files.write(segment, ByteBuffer.allocate(SpoolFormat.HEADER.length + 8 + body.length)
                .put(SpoolFormat.HEADER).putInt(body.length).putInt((int) crc.getValue()).put(body).array());

        try (SpoolReader reader = SpoolReader.open(segment, 0)) {
            assertThat(reader.next(10).records()).containsExactly(new UsageRecord(T0, "r-1",
                    new Caller("acme", "alice", null, "t-1", "pat"), "ch", "m", 5, 3, Outcome.COMPLETED, 200, 0, 0));
        }
    }

    @Test
    void aFullSpool_takesOnlyTheRecordsThatFit() {
        try (UsageSpool spool = UsageSpool.open(dir, 1024L * 1024)) {
            int taken = spool.append(records(10_000));

            assertThat(taken).isBetween(1_000, 9_999);
            while (spool.append(records(1)) == 1) {
                assertThat(spool.bytes()).isLessThanOrEqualTo(1024L * 1024);
            }
            assertThat(spool.bytes()).isLessThanOrEqualTo(1024L * 1024).isGreaterThan(1024L * 1024 - 400);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void replay_resumesAfterTheLastCommittedBatch_noRecordTwice_thenDeletesTheSegment(TestDatabases.Kind kind)
            throws Exception {
        List<UsageRecord> records = records(1_300);
        try (TestStore store = kind.create(dir)) {
            Database database = store.open();
            UsageSpool spool = UsageSpool.open(dir.resolve("spool"), 1024L * 1024 * 1024);
            spool.append(records);
            Path segment = spool.seal().getFirst();
            // What a replay killed after its first batch leaves: that batch and its offset, committed together.
            try (SpoolReader reader = SpoolReader.open(segment, 0)) {
                SpoolReader.Batch first = reader.next(SpoolReplayer.BATCH);
                database.jdbi().useTransaction(handle -> {
                    UsageRows.insert(handle, first.records(), () -> true);
                    handle.execute("INSERT INTO usage_spool_progress (segment, replayed_to, updated_at) VALUES (?, ?, 0)",
                            segment.getFileName().toString(), first.endOffset());
                });
            }
            Counter replayed = new SimpleMeterRegistry().counter("replayed");

            try (StoreHealth health = StoreHealth.start(database, Duration.ofSeconds(1));
                    SpoolReplayer replayer = SpoolReplayer.start(spool, database, health, replayed, Duration.ofMillis(20))) {
                Await.until("the spool replayed", Duration.ofSeconds(10), spool::isEmpty);
            }

            assertThat(replayed.count()).isEqualTo(1_300 - SpoolReplayer.BATCH);
            assertThat(Files.exists(segment)).isFalse();
            List<String> ids = database.jdbi().withHandle(handle -> handle
                    .createQuery("SELECT request_id FROM usage_records ORDER BY request_id").mapTo(String.class).list());
            assertThat(ids).hasSize(1_300).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(records.stream().map(UsageRecord::requestId).toList());
            int progressRows = database.jdbi().withHandle(handle -> handle
                    .createQuery("SELECT COUNT(*) FROM usage_spool_progress").mapTo(Integer.class).one());
            assertThat(progressRows).isZero();
        }
    }

    @Test
    void replay_logsOneLineForARound_notOnePerSegment() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger logger = (Logger) LoggerFactory.getLogger(SpoolReplayer.class);
        logger.addAppender(logs);
        try (TestStore store = TestDatabases.sqlite(dir)) {
            Database database = store.open();
            UsageSpool spool = UsageSpool.open(dir.resolve("spool"), 1024L * 1024 * 1024);
            List<UsageRecord> records = records(30);
            for (int segment = 0; segment < 3; segment++) {
                spool.append(records.subList(10 * segment, 10 * segment + 10));
                spool.seal();
            }
            Counter replayed = new SimpleMeterRegistry().counter("replayed");

            try (StoreHealth health = StoreHealth.start(database, Duration.ofSeconds(1));
                    SpoolReplayer replayer = SpoolReplayer.start(spool, database, health, replayed, Duration.ofMillis(20))) {
                Await.until("the spool replayed", Duration.ofSeconds(10), spool::isEmpty);
            }

            assertThat(replayed.count()).isEqualTo(30);
            List<ILoggingEvent> info = logs.list.stream().filter(e -> e.getLevel() == Level.INFO).toList();
            assertThat(info).hasSize(1);
            assertThat(info.getFirst().getFormattedMessage()).isEqualTo("usage spool: records replayed into the store");
            assertThat(info.getFirst().getKeyValuePairs()).extracting(pair -> pair.key + "=" + pair.value)
                    .contains("records=30", "segments=3");
        } finally {
            logger.detachAppender(logs);
        }
    }

    private static List<UsageRecord> records(int count) {
        List<UsageRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            UsageRecord base = record(i % 2 == 0 ? ALICE : SANDBOX, T0.plusMillis(i), "ch", "m", i, 1, Outcome.COMPLETED);
            records.add(new UsageRecord(base.at(), "req-" + i, base.caller(), base.channel(), base.model(),
                    base.promptTokens(), base.completionTokens(), base.outcome(), base.status(), base.durationMillis(),
                    7L * i));
        }
        return records;
    }
}
