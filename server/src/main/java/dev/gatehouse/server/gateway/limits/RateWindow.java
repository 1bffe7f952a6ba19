package dev.gatehouse.server.gateway.limits;

/**
 * A sliding 60-second window of amounts (requests or tokens) in one-second slots. Thread-safe
 * (monitor per window); every operation is O(60) with no allocation.
 */
final class RateWindow {
    static final int SECONDS = 60;

    private final long[] slotSecond = new long[SECONDS];
    private final long[] slotAmount = new long[SECONDS];
    private long lastSecond = Long.MIN_VALUE / 2;

    RateWindow() {
        java.util.Arrays.fill(slotSecond, Long.MIN_VALUE / 2);
    }

    /**
     * Adds {@code amount} if the last 60 seconds plus it stay within {@code limit} (or the window is
     * empty: a single request larger than the limit is admitted once a minute); returns 0. Otherwise
     * adds nothing and returns the milliseconds until enough of the window has passed.
     */
    synchronized long tryAcquire(long amount, long limit, long nowMillis) {
        long now = Math.floorDiv(nowMillis, 1000);
        long used = used(now);
        if (used == 0 || used + amount <= limit) {
            add(now, amount);
            return 0;
        }
        long freed = 0;
        for (long second = now - SECONDS + 1; second <= now; second++) {
            freed += amountAt(second);
            long left = used - freed;
            if (left == 0 || left + amount <= limit) {
                return (second + SECONDS) * 1000 - nowMillis;
            }
        }
        return (now + SECONDS) * 1000 - nowMillis;
    }

    /**
     * Corrects an earlier acquisition made at {@code acquiredMillis} by {@code delta}: more is added
     * now; less is taken off that second's slot while it is still in the window.
     */
    synchronized void adjust(long delta, long acquiredMillis, long nowMillis) {
        if (delta > 0) {
            add(Math.floorDiv(nowMillis, 1000), delta);
            return;
        }
        long second = Math.floorDiv(acquiredMillis, 1000);
        int slot = slot(second);
        if (delta < 0 && slotSecond[slot] == second) {
            slotAmount[slot] = Math.max(0, slotAmount[slot] + delta);
        }
    }

    /** The amount in the 60 seconds ending with the second of {@code nowMillis}. */
    synchronized long usedAt(long nowMillis) {
        return used(Math.floorDiv(nowMillis, 1000));
    }

    /** Whether nothing was added in the last 60 seconds (the window can be forgotten). */
    synchronized boolean isIdle(long nowMillis) {
        return lastSecond <= Math.floorDiv(nowMillis, 1000) - SECONDS;
    }

    private long used(long now) {
        long used = 0;
        for (int i = 0; i < SECONDS; i++) {
            if (slotSecond[i] > now - SECONDS && slotSecond[i] <= now) {
                used += slotAmount[i];
            }
        }
        return used;
    }

    private long amountAt(long second) {
        int slot = slot(second);
        return slotSecond[slot] == second ? slotAmount[slot] : 0;
    }

    private void add(long second, long amount) {
        int slot = slot(second);
        if (slotSecond[slot] != second) {
            slotSecond[slot] = second;
            slotAmount[slot] = 0;
        }
        slotAmount[slot] += amount;
        lastSecond = Math.max(lastSecond, second);
    }

    private static int slot(long second) {
        return (int) Math.floorMod(second, (long) SECONDS);
    }
}
