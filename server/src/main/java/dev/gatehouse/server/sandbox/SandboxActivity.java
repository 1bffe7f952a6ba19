package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.store.Database;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Remembers when each sandbox last had proxied traffic on this replica, and which have connections
 * open (a WebSocket or an event stream is activity for as long as it is open), and writes it to the
 * store in one batch per {@link #flush()}: never one write per request. Thread-safe; {@link #flush()}
 * blocks and must not run concurrently with itself.
 */
public final class SandboxActivity {
    private final Database database;
    private final Clock clock;
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();

    SandboxActivity(Database database, Clock clock) {
        this.database = requireNonNull(database, "database");
        this.clock = requireNonNull(clock, "clock");
    }

    /** A request to {@code id} was proxied now. */
    public void touch(String id) {
        pending.merge(id, clock.millis(), Math::max);
    }

    /** A connection to {@code id} opened; it counts as activity until {@link #closed}. */
    public void opened(String id) {
        touch(id);
        open.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
    }

    public void closed(String id) {
        touch(id);
        open.computeIfPresent(id, (key, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    /** Writes the pending activity (and now, for sandboxes with open connections) to the store. */
    public int flush() {
        long now = clock.millis();
        Map<String, Long> batch = new HashMap<>(pending);
        open.keySet().forEach(id -> batch.put(id, now));
        if (batch.isEmpty()) {
            return 0;
        }
        database.jdbi().useTransaction(handle -> SandboxStore.recordActivity(handle, batch));
        // Keep what was recorded while the batch was written.
        batch.forEach(pending::remove);
        return batch.size();
    }

    /** Proxied requests and connections open on this replica now, all sandboxes together. */
    public int openConnections() {
        return open.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Whether {@code id} has a proxied connection open on this replica. */
    boolean hasOpenConnections(String id) {
        return open.containsKey(id);
    }

    void forget(String id) {
        pending.remove(id);
    }
}
