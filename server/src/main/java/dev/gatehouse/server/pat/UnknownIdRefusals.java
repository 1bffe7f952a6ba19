package dev.gatehouse.server.pat;

import dev.gatehouse.server.audit.AuditEvent.Actor;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides which refused revocations of nonexistent token ids get an audit row: the first per
 * caller, then at most one per caller per {@link #WINDOW}; the ones in between are counted and the
 * next audited row carries the count. Per replica, in memory, at most {@link #MAX_CALLERS} callers
 * (beyond that, stale entries are dropped; if none is stale every refusal is audited). Thread-safe.
 */
final class UnknownIdRefusals {
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final int MAX_CALLERS = 10_000;

    private record Window(long startedMillis, long suppressed) {}

    private final Clock clock;
    private final Map<Actor, Window> windows = new ConcurrentHashMap<>();

    UnknownIdRefusals(Clock clock) {
        this.clock = clock;
    }

    /**
     * Whether this refusal by {@code caller} is audited: present with the number of refusals left
     * out since the previous audited one, or empty when it is to be left out (and is counted).
     */
    OptionalLong due(Actor caller) {
        long now = clock.millis();
        if (windows.size() >= MAX_CALLERS && !windows.containsKey(caller)) {
            windows.values().removeIf(window -> now - window.startedMillis() >= WINDOW.toMillis());
            if (windows.size() >= MAX_CALLERS) {
                return OptionalLong.of(0);
            }
        }
        long[] audited = {-1};
        windows.compute(caller, (key, window) -> {
            if (window == null || now - window.startedMillis() >= WINDOW.toMillis()) {
                audited[0] = window == null ? 0 : window.suppressed();
                return new Window(now, 0);
            }
            return new Window(window.startedMillis(), window.suppressed() + 1);
        });
        return audited[0] < 0 ? OptionalLong.empty() : OptionalLong.of(audited[0]);
    }
}
