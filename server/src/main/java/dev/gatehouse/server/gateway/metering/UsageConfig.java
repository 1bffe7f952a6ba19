package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How usage records reach the store ({@code gateway.usage.*}); see docs/gateway-metering.md,
 * "Durability". Immutable.
 *
 * @param durability when a response may end relative to its record being durable
 * @param onStoreUnavailable what happens to usage while the store cannot be reached
 * @param flushInterval {@link Durability#BATCHED}: longest time a record waits in memory for its
 *     batch (1ms..10s) while the writer keeps up; with {@link OnStoreUnavailable#SPOOL}, in either
 *     mode, a record that waited twice as long (at least 100 ms) is spooled. That, plus a commit, is
 *     the window a crash of the process can lose
 * @param spoolDir where records are spooled while the store is away
 * @param spoolMaxBytes the spool's largest size on disk (at least 1MiB); records beyond it are dropped
 */
public record UsageConfig(Durability durability, OnStoreUnavailable onStoreUnavailable, Duration flushInterval,
        Path spoolDir, long spoolMaxBytes) {

    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(100);
    public static final long DEFAULT_SPOOL_MAX_BYTES = 1024L * 1024 * 1024;
    /** The spool's directory under the data directory by default. */
    public static final String DEFAULT_SPOOL_DIR = "usage-spool";

    public UsageConfig {
        requireNonNull(durability, "durability");
        requireNonNull(onStoreUnavailable, "onStoreUnavailable");
        requireNonNull(flushInterval, "flushInterval");
        requireNonNull(spoolDir, "spoolDir");
        if (flushInterval.compareTo(Duration.ofMillis(1)) < 0 || flushInterval.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("gateway.usage.flushInterval: " + flushInterval + " (expected: 1ms..10s)");
        }
        if (spoolMaxBytes < 1024L * 1024) {
            throw new IllegalArgumentException("gateway.usage.spoolMaxSize: " + spoolMaxBytes + " (expected: >= 1MiB)");
        }
    }

    /** The defaults, spooling under {@code dataDir}. */
    public static UsageConfig defaults(Path dataDir) {
        return new UsageConfig(Durability.BATCHED, OnStoreUnavailable.SPOOL, DEFAULT_FLUSH_INTERVAL,
                dataDir.resolve(DEFAULT_SPOOL_DIR), DEFAULT_SPOOL_MAX_BYTES);
    }

    /** {@code gateway.usage.durability}; configured by its lower-case name. */
    public enum Durability {
        /**
         * A response ends at once; its record is written within {@code flushInterval} (plus one commit)
         * while the writer keeps up, and spooled after twice that if it falls behind.
         */
        BATCHED,
        /** A response ends only once its record is committed durably to the store, or to the spool. */
        STRICT
    }

    /** {@code gateway.usage.onStoreUnavailable}; configured by its lower-case name. */
    public enum OnStoreUnavailable {
        /** Records go to the spool on local disk and are replayed into the store when it is back. */
        SPOOL,
        /** New gateway requests are answered 503 until the store is back; nothing is spooled. */
        REFUSE
    }
}
