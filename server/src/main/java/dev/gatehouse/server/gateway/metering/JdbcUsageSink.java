package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.store.Database;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link UsageSink} of a Gatehouse process: records go into a bounded in-memory queue that one
 * background thread drains into the {@code usage_records} table in batches of at most
 * {@link Settings#maxBatchSize()} rows, written at the latest {@link Settings#flushInterval()} after
 * the first record of a batch arrived, in one transaction per batch.
 *
 * <p>{@link #record} never blocks: when the queue ({@link Settings#queueCapacity()} records) is
 * full, or the sink is closed, the record is dropped, counted in the metric
 * {@code gatehouse.usage.records.dropped} and logged at WARN at most once per
 * {@link Settings#dropLogInterval()}. A batch that cannot be written is retried three times with
 * back-off; then its records are counted in {@code gatehouse.usage.records.lost} and logged at ERROR.
 * {@code gatehouse.usage.records.written} counts rows written, {@code gatehouse.usage.queue.size}
 * shows the backlog.
 *
 * <p>{@link #close()} stops accepting records, writes everything queued and waits for the writer
 * (at most {@link Settings#closeTimeout()}). Thread-safe.
 */
public final class JdbcUsageSink implements UsageSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JdbcUsageSink.class);
    private static final long IDLE_POLL_MILLIS = 100;
    private static final long FILL_PAUSE_MILLIS = 10;
    private static final int WRITE_ATTEMPTS = 4;
    private static final String INSERT = """
            INSERT INTO usage_records (occurred_at, request_id, organization, user_id, sandbox, token_id, token_type,
                                       channel, model, prompt_tokens, completion_tokens, outcome, status, duration_ms,
                                       spend_micros)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    private final Database database;
    private final Settings settings;
    private final BlockingQueue<UsageRecord> queue;
    private final Counter dropped;
    private final Counter written;
    private final Counter lost;
    private final AtomicLong droppedTotal = new AtomicLong();
    private final AtomicLong nextDropLogNanos = new AtomicLong(System.nanoTime());
    private final Thread writer;
    private volatile boolean closing;

    private JdbcUsageSink(Database database, MeterRegistry metrics, Settings settings) {
        this.database = database;
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.dropped = Counter.builder("gatehouse.usage.records.dropped")
                .description("Usage records dropped because the queue was full or the sink closed")
                .register(metrics);
        this.written = Counter.builder("gatehouse.usage.records.written")
                .description("Usage records written to the store").register(metrics);
        this.lost = Counter.builder("gatehouse.usage.records.lost")
                .description("Usage records lost because the store refused them repeatedly").register(metrics);
        Gauge.builder("gatehouse.usage.queue.size", queue, BlockingQueue::size)
                .description("Usage records waiting to be written").register(metrics);
        this.writer = Thread.ofPlatform().name("gatehouse-usage-writer").daemon().unstarted(this::run);
    }

    /** Starts a sink with {@link Settings#DEFAULTS}. */
    public static JdbcUsageSink start(Database database, MeterRegistry metrics) {
        return start(database, metrics, Settings.DEFAULTS);
    }

    /** Starts a sink and its writer thread. */
    public static JdbcUsageSink start(Database database, MeterRegistry metrics, Settings settings) {
        JdbcUsageSink sink = new JdbcUsageSink(requireNonNull(database, "database"),
                requireNonNull(metrics, "metrics"), requireNonNull(settings, "settings"));
        sink.writer.start();
        return sink;
    }

    @Override
    public void record(UsageRecord usage) {
        requireNonNull(usage, "usage");
        if (closing || !queue.offer(usage)) {
            drop();
        }
    }

    /** Records dropped so far (queue full or closed). */
    public long droppedRecords() {
        return droppedTotal.get();
    }

    /** Records waiting to be written. */
    public int backlog() {
        return queue.size();
    }

    /** Stops accepting records and writes every queued one; idempotent. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(settings.closeTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            log.atError().addKeyValue("backlog", queue.size())
                    .log("usage writer did not finish within " + settings.closeTimeout() + "; unwritten records are lost");
            return;
        }
        int left = queue.size();
        if (left > 0) {
            queue.clear();
            for (int i = 0; i < left; i++) {
                drop();
            }
        }
    }

    private void drop() {
        dropped.increment();
        long total = droppedTotal.incrementAndGet();
        long now = System.nanoTime();
        long next = nextDropLogNanos.get();
        if (now - next >= 0 && nextDropLogNanos.compareAndSet(next, now + settings.dropLogInterval().toNanos())) {
            log.atWarn().addKeyValue("dropped", total).addKeyValue("capacity", settings.queueCapacity())
                    .log(closing ? "usage sink is closed: usage records dropped"
                            : "usage queue is full: usage records dropped (the store is not keeping up)");
        }
    }

    private void run() {
        List<UsageRecord> batch = new ArrayList<>(settings.maxBatchSize());
        try {
            while (!closing || !queue.isEmpty()) {
                UsageRecord first = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                fill(batch);
                write(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            log.warn("usage writer interrupted; records still queued are not written");
        }
    }

    /**
     * Adds records to the batch until it is full, the flush interval is over or the sink closes. It
     * drains the queue every {@value #FILL_PAUSE_MILLIS} ms instead of waiting on it, so the request
     * path does not pay for waking this thread once per record.
     */
    private void fill(List<UsageRecord> batch) throws InterruptedException {
        long deadline = System.nanoTime() + settings.flushInterval().toNanos();
        while (true) {
            queue.drainTo(batch, settings.maxBatchSize() - batch.size());
            long wait = deadline - System.nanoTime();
            if (batch.size() >= settings.maxBatchSize() || closing || wait <= 0) {
                return;
            }
            Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(wait) + 1, FILL_PAUSE_MILLIS));
        }
    }

    private void write(List<UsageRecord> batch) throws InterruptedException {
        long backoffMillis = 250;
        for (int attempt = 1; ; attempt++) {
            try {
                insert(batch);
                written.increment(batch.size());
                return;
            } catch (RuntimeException e) {
                if (attempt >= WRITE_ATTEMPTS) {
                    lost.increment(batch.size());
                    log.atError().setCause(e).addKeyValue("records", batch.size())
                            .log("usage records could not be written and are lost");
                    return;
                }
                log.atWarn().setCause(e).addKeyValue("attempt", attempt).log("writing usage records failed; retrying");
                Thread.sleep(backoffMillis);
                backoffMillis *= 2;
            }
        }
    }

    /** Plain JDBC batch binding: it runs for every request the gateway serves, and JDBI's named binding costs more than the insert. */
    private void insert(List<UsageRecord> batch) {
        database.jdbi().useTransaction(handle -> {
            try (PreparedStatement insert = handle.getConnection().prepareStatement(INSERT)) {
                for (UsageRecord usage : batch) {
                    Caller caller = usage.caller();
                    insert.setLong(1, usage.at().toEpochMilli());
                    insert.setString(2, usage.requestId());
                    insert.setString(3, caller.organization());
                    insert.setString(4, caller.user());
                    insert.setString(5, caller.sandbox());
                    insert.setString(6, caller.tokenId());
                    insert.setString(7, caller.tokenType());
                    insert.setString(8, usage.channel());
                    insert.setString(9, usage.model());
                    insert.setLong(10, usage.promptTokens());
                    insert.setLong(11, usage.completionTokens());
                    insert.setString(12, usage.outcome().value());
                    insert.setInt(13, usage.status());
                    insert.setLong(14, usage.durationMillis());
                    insert.setLong(15, usage.spendMicros());
                    insert.addBatch();
                }
                insert.executeBatch();
            } catch (SQLException e) {
                throw new UncheckedSqlException(e);
            }
        });
    }

    /** A failed batch, retried by {@link #write}. */
    private static final class UncheckedSqlException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UncheckedSqlException(SQLException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * How the sink queues and writes.
     *
     * @param queueCapacity records held in memory before new ones are dropped, {@code >= 1}
     * @param maxBatchSize rows written in one transaction, {@code >= 1}
     * @param flushInterval longest time a record waits for its batch to fill, {@code > 0}
     * @param dropLogInterval at most one WARN about dropped records per this interval
     * @param closeTimeout how long {@link #close()} waits for the writer
     */
    public record Settings(int queueCapacity, int maxBatchSize, Duration flushInterval, Duration dropLogInterval,
            Duration closeTimeout) {
        /** 50,000 records, batches of 500, flushed every second, one drop warning a minute, 30 s to close. */
        public static final Settings DEFAULTS =
                new Settings(50_000, 500, Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofSeconds(30));

        public Settings {
            requireNonNull(flushInterval, "flushInterval");
            requireNonNull(dropLogInterval, "dropLogInterval");
            requireNonNull(closeTimeout, "closeTimeout");
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("queueCapacity: " + queueCapacity + " (expected: >= 1)");
            }
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("maxBatchSize: " + maxBatchSize + " (expected: >= 1)");
            }
            if (flushInterval.isNegative() || flushInterval.isZero()) {
                throw new IllegalArgumentException("flushInterval: " + flushInterval + " (expected: > 0)");
            }
        }
    }
}
