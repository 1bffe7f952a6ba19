package dev.gatehouse.server.store;

import java.time.Instant;
import java.util.HexFormat;

/**
 * Prefixes for primary keys that sort as they were made: rows inserted together then land next to
 * each other at the end of the key's B-tree index, instead of each dirtying a page of its own that
 * the commit must write and sync (bench/README.md, "Sixth session": random token ids cost sandbox
 * tokens 7–17 % of their rate on SQLite).
 */
public final class TimeOrderedKeys {
    private TimeOrderedKeys() {}

    /**
     * 12 lower-case hex digits of {@code at}'s epoch millisecond (the low 12 of its 16: enough until
     * the year 10889), so that string order is time order. Built without a {@code Formatter}: it runs
     * once per minted token and audit event.
     */
    public static String millisecondPrefix(Instant at) {
        return HexFormat.of().toHexDigits(at.toEpochMilli()).substring(4);
    }
}
