package dev.gatehouse.server.gateway.limits;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Opens at most once per interval, the first time at once: keeps a log line from flooding. Thread-safe. */
final class EveryInterval {
    private final long intervalNanos;
    private final AtomicLong next = new AtomicLong(System.nanoTime());

    EveryInterval(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /** Whether the caller may act now (at most one caller per interval is told yes). */
    boolean due() {
        long now = System.nanoTime();
        long due = next.get();
        return now - due >= 0 && next.compareAndSet(due, now + intervalNanos);
    }
}
