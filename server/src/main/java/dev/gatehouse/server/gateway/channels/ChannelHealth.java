package dev.gatehouse.server.gateway.channels;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

/**
 * Whether a channel takes requests. It is taken out after {@code threshold} failures (connect error,
 * timeout before the first byte, 429, 5xx) within {@code window}; after {@code probeInterval} one
 * request at a time is let through as a probe: success brings the channel back, failure keeps it out
 * for another interval. Thread-safe (requests of every event loop report here).
 */
public final class ChannelHealth {
    private final int threshold;
    private final long windowNanos;
    private final long probeNanos;
    private final LongSupplier nanoClock;
    private final Deque<Long> failures = new ArrayDeque<>();
    private boolean out;
    private long probeAt;
    private boolean probing;

    public ChannelHealth(int threshold, Duration window, Duration probeInterval, LongSupplier nanoClock) {
        this.threshold = threshold;
        this.windowNanos = window.toNanos();
        this.probeNanos = probeInterval.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Whether a request may go to this channel now; when out and a probe is due, admits this one request as the probe. */
    public synchronized boolean tryAdmit() {
        if (!out) {
            return true;
        }
        if (!probing && nanoClock.getAsLong() - probeAt >= 0) {
            probing = true;
            return true;
        }
        return false;
    }

    /** Whether {@link #tryAdmit()} would admit a request now (without claiming the probe). */
    public synchronized boolean isAvailable() {
        return !out || !probing && nanoClock.getAsLong() - probeAt >= 0;
    }

    /** Whether the channel is in (taking requests), for listings and metrics. */
    public synchronized boolean isIn() {
        return !out;
    }

    public synchronized void success() {
        out = false;
        probing = false;
        failures.clear();
    }

    public synchronized void failure() {
        long now = nanoClock.getAsLong();
        if (out) {
            probing = false;
            probeAt = now + probeNanos;
            return;
        }
        failures.addLast(now);
        while (!failures.isEmpty() && now - failures.peekFirst() > windowNanos) {
            failures.removeFirst();
        }
        if (failures.size() >= threshold) {
            out = true;
            probing = false;
            probeAt = now + probeNanos;
            failures.clear();
        }
    }
}
