package dev.gatehouse.sdk.verify;

/**
 * A small cache keyed by object identity, for values derived from immutable keys (a JCA key
 * converted from a JWK, a verifier built for a key). Identity, not {@code equals}: a hit costs a
 * few reference comparisons, and a key source that keeps its JWK instances between refreshes (the
 * Gatehouse key ring per snapshot, Nimbus's caching remote source per fetch) hits every time,
 * while one that builds new instances merely misses.
 *
 * <p>Holds at most {@code capacity} entries, the most recently added first; adding to a full
 * cache drops the oldest, so a rotation or a refetch evicts stale keys after {@code capacity}
 * newer ones. Thread-safe without locks: the entries are an immutable array replaced on each
 * addition (copy-on-write). Racing additions may lose one of them or compute a value twice; either
 * only costs a later miss, since every value is derived from its key alone.
 */
final class IdentityCache<K, V> {
    private final int capacity;
    private volatile Object[] entries = new Object[0]; // key, value, key, value, ...

    IdentityCache(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        this.capacity = capacity;
    }

    /** The value cached for this very instance, or null. */
    @SuppressWarnings("unchecked")
    V get(K key) {
        Object[] current = entries;
        for (int i = 0; i < current.length; i += 2) {
            if (current[i] == key) {
                return (V) current[i + 1];
            }
        }
        return null;
    }

    /** Caches {@code value} for {@code key} as the newest entry, dropping the oldest if full. */
    void put(K key, V value) {
        Object[] current = entries;
        int kept = Math.min(current.length, 2 * (capacity - 1));
        Object[] next = new Object[kept + 2];
        next[0] = key;
        next[1] = value;
        System.arraycopy(current, 0, next, 2, kept);
        entries = next;
    }

    /** Number of entries, for tests. */
    int size() {
        return entries.length / 2;
    }
}
