package dev.gatehouse.server.gateway.channels;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a channel takes requests. A channel is in until {@code threshold} failures (a connect error,
 * a timeout before the first byte, or a status for which {@link #isChannelFailure} holds) fall within
 * {@code window}; a usable response clears the failures counted so far. Then it is out: no request is
 * sent to it, and only a successful probe ({@link #probeSucceeded}) brings it back. A channel back in
 * is on probation for one {@code window}: its first failure then takes it out again, so a channel whose
 * probe passes while its real path still fails costs one request per probe cycle, not {@code
 * threshold}. Each change is
 * logged once, naming the channel and the reason (never its key); going out is reported to the
 * {@link OutListener}, which probes the channel until it is back.
 *
 * <p>Thread-safe: requests of every event loop report here. The listener is called outside the lock.
 */
public final class ChannelHealth {
    /** Told when a channel goes out; probes it until {@link #probeSucceeded}. Must not block. */
    @FunctionalInterface
    public interface OutListener {
        void wentOut(ChannelHealth health);
    }

    /**
     * Whether the channel is in, and since when.
     *
     * @param since when it last went out or came back in; empty while it has been in since it was opened
     */
    public record State(boolean in, Optional<Instant> since) {
        public State {
            requireNonNull(since, "since");
        }
    }

    private static final Logger log = LoggerFactory.getLogger(ChannelHealth.class);

    private final String channel;
    private final int threshold;
    private final Duration window;
    private final LongSupplier nanoClock;
    private final Clock clock;
    private final OutListener outListener;
    private final Deque<Long> failures = new ArrayDeque<>();
    private boolean out;
    private long outSince;
    private boolean onProbation;
    private long probationEnds;
    private Instant changedAt;

    /**
     * @param channel the channel's name, for the log
     * @param nanoClock {@link System#nanoTime()} outside tests; measures the window and probation
     * @param clock the wall time of each change, for {@link #state()}
     */
    public ChannelHealth(String channel, int threshold, Duration window, LongSupplier nanoClock, Clock clock,
            OutListener outListener) {
        this.channel = requireNonNull(channel, "channel");
        this.threshold = threshold;
        this.window = requireNonNull(window, "window");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        this.clock = requireNonNull(clock, "clock");
        this.outListener = requireNonNull(outListener, "outListener");
    }

    /**
     * Whether an upstream answering {@code status} counts as a failure of the channel: 429, 502, 503,
     * 504 (the upstream, or what stands in front of it, is down or overloaded) and 401/403 (the
     * channel's own key refused). Any other status says nothing about the channel: a 500 in
     * particular is what many upstreams answer to a body they choke on, so one caller sending such
     * bodies must not take the channel out for everyone.
     */
    public static boolean isChannelFailure(int status) {
        return switch (status) {
            case 401, 403, 429, 502, 503, 504 -> true;
            default -> false;
        };
    }

    /** Whether the channel is in (takes requests); for routing, listings and metrics. */
    public synchronized boolean isIn() {
        return !out;
    }

    /** Whether the channel is in and since when, read together; for listings. */
    public synchronized State state() {
        return new State(!out, Optional.ofNullable(changedAt));
    }

    /** A request got a usable response. Ignored while out: only a probe brings a channel back. */
    public synchronized void success() {
        if (!out) {
            failures.clear();
        }
    }

    /**
     * A request failed because of the channel. Takes the channel out when this is the {@code
     * threshold}th failure within the window, or any failure while on probation. Ignored while out.
     *
     * @param reason why, for the log: the {@code reason} of the upstream-error metric ({@code status_5xx}, ...)
     */
    public void failure(String reason) {
        int failuresCounted;
        synchronized (this) {
            if (out) {
                return;
            }
            long now = nanoClock.getAsLong();
            failures.addLast(now);
            while (now - failures.peekFirst() > window.toNanos()) {
                failures.removeFirst();
            }
            boolean probationFailed = onProbation && now - probationEnds < 0;
            if (failures.size() < threshold && !probationFailed) {
                return;
            }
            failuresCounted = failures.size();
            failures.clear();
            onProbation = false;
            out = true;
            outSince = now;
            changedAt = clock.instant();
        }
        log.atWarn().addKeyValue("channel", channel).addKeyValue("failures", failuresCounted)
                .addKeyValue("window", window).addKeyValue("lastFailure", reason)
                .log("gateway channel taken out; probing it until it answers");
        outListener.wentOut(this);
    }

    /**
     * A probe found the channel healthy: it is in again.
     *
     * @param evidence what the probe saw ({@code GET /models: 200}), for the log
     */
    public void probeSucceeded(String evidence) {
        long outNanos;
        synchronized (this) {
            if (!out) {
                return;
            }
            out = false;
            long now = nanoClock.getAsLong();
            outNanos = now - outSince;
            onProbation = true;
            probationEnds = now + window.toNanos();
            changedAt = clock.instant();
        }
        log.atInfo().addKeyValue("channel", channel).addKeyValue("probe", evidence)
                .addKeyValue("outFor", Duration.ofMillis(outNanos / 1_000_000)).log("gateway channel back in");
    }
}
