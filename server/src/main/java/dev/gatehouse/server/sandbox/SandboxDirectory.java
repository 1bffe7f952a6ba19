package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The proxy's view of sandboxes: each record is read from the store at most once per {@link #TTL} per
 * replica, so a proxied request costs a map lookup. A change made on this replica (running, stopped,
 * deleted) is seen at once ({@link #forget}); one made on another replica is seen within {@link #TTL}
 * (and a deleted sandbox's runtime is removed, so a request let through meanwhile finds nothing).
 * Thread-safe.
 */
public final class SandboxDirectory {
    static final Duration TTL = Duration.ofSeconds(1);
    private static final int MAX_ENTRIES = 100_000;

    private record Entry(Optional<Sandbox> sandbox, long loadedNanos) {}

    private final Function<String, Optional<Sandbox>> loader;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** @param loader reads a sandbox from the store (blocking) */
    SandboxDirectory(Function<String, Optional<Sandbox>> loader) {
        this.loader = requireNonNull(loader, "loader");
    }

    /**
     * What is known of {@code id} without blocking: empty when it must be {@link #load}ed; else the
     * record, or empty when there is no such sandbox.
     */
    public Optional<Optional<Sandbox>> cached(String id) {
        Entry entry = entries.get(id);
        if (entry == null || System.nanoTime() - entry.loadedNanos() > TTL.toNanos()) {
            return Optional.empty();
        }
        return Optional.of(entry.sandbox());
    }

    /** Reads {@code id} from the store and caches it; blocks. */
    public Optional<Sandbox> load(String id) {
        Optional<Sandbox> sandbox = loader.apply(id);
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(id, new Entry(sandbox, System.nanoTime()));
        return sandbox;
    }

    /** Drops {@code id}: the next lookup reads the store. */
    public void forget(String id) {
        entries.remove(id);
    }
}
