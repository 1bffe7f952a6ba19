package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts usage records that were dropped, exactly, by reason: in the metric {@code
 * gatehouse.usage.records.dropped{reason}} at once, and in the log through {@link #report()}: the
 * first drop after a quiet period is logged at the next report, then at most one line per
 * {@code interval}, each with the number dropped since the previous line and the total, so the log
 * adds up to the metric. Thread-safe; {@link #drop} never blocks.
 */
final class DroppedRecords {
    private static final Logger log = LoggerFactory.getLogger(DroppedRecords.class);

    /** Why a record was dropped; the metric's {@code reason} label. */
    enum Reason {
        /** The in-memory queue was full (and no spool took the overflow). */
        QUEUE_FULL,
        /** The spool reached {@code gateway.usage.spoolMaxSize}. */
        SPOOL_FULL,
        /** Writing to the spool failed (disk full, I/O error). */
        SPOOL_ERROR,
        /** The sink was closed (shutting down). */
        CLOSED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Map<Reason, Counter> counters = new EnumMap<>(Reason.class);
    private final Map<Reason, AtomicLong> unreported = new EnumMap<>(Reason.class);
    private final AtomicLong total = new AtomicLong();
    private final long intervalNanos;
    private long lastReportNanos;
    private boolean reportedBefore;

    DroppedRecords(MeterRegistry metrics, Duration interval) {
        requireNonNull(metrics, "metrics");
        this.intervalNanos = requireNonNull(interval, "interval").toNanos();
        for (Reason reason : Reason.values()) {
            counters.put(reason, Counter.builder("gatehouse.usage.records.dropped")
                    .description("Usage records dropped, never to reach the store")
                    .tag("reason", reason.label())
                    .register(metrics));
            unreported.put(reason, new AtomicLong());
        }
    }

    void drop(Reason reason) {
        counters.get(reason).increment();
        unreported.get(reason).incrementAndGet();
        total.incrementAndGet();
    }

    /** Records dropped so far. */
    long total() {
        return total.get();
    }

    /** Logs the drops not yet logged, unless the last line is younger than the interval. One caller at a time. */
    synchronized void report() {
        long now = System.nanoTime();
        if (reportedBefore && now - lastReportNanos < intervalNanos) {
            return;
        }
        flush(now);
    }

    /** Logs the drops not yet logged, now (on close). */
    synchronized void reportNow() {
        flush(System.nanoTime());
    }

    private void flush(long now) {
        StringJoiner reasons = new StringJoiner(", ");
        long count = 0;
        for (Map.Entry<Reason, AtomicLong> entry : unreported.entrySet()) {
            long n = entry.getValue().getAndSet(0);
            if (n > 0) {
                reasons.add(entry.getKey().label() + "=" + n);
                count += n;
            }
        }
        if (count == 0) {
            reportedBefore = false; // quiet: the next drop is logged at once
            return;
        }
        log.atWarn().addKeyValue("dropped", count).addKeyValue("droppedTotal", total.get())
                .addKeyValue("reasons", reasons.toString())
                .log("usage records dropped: they will never reach the store");
        reportedBefore = true;
        lastReportNanos = now;
    }
}
