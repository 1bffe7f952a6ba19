package dev.gatehouse.server.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the store answers, known at once. A probe thread checks one connection of its own every
 * {@code interval} — outside the pool, so neither a pool waiting out its connection timeout nor a
 * hung pooled connection can delay it — and gives up on a check after {@link #CHECK_TIMEOUT}. Whoever
 * meets a dead connection on the pool may {@linkplain #reportUnreachable say so}; only the probe
 * brings the store back up. {@link #isUp()} never blocks, so {@code /readyz} and the request path
 * can ask it. Each change is logged once. Thread-safe.
 */
public final class StoreHealth implements AutoCloseable {
    /** How long one check may take: connecting (PostgreSQL) and the validation round trip. */
    public static final Duration CHECK_TIMEOUT = Duration.ofSeconds(1);
    /** How often the store is checked by default. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);

    private static final Logger log = LoggerFactory.getLogger(StoreHealth.class);

    private final Database database;
    private final Duration interval;
    private final Thread probe;
    private volatile boolean up = true;
    private volatile boolean closed;
    private Connection connection;

    private StoreHealth(Database database, Duration interval) {
        this.database = database;
        this.interval = interval;
        this.probe = Thread.ofPlatform().name("gatehouse-store-health").daemon().unstarted(this::run);
    }

    /** Starts probing {@code database} every {@code interval}; the store counts as up until a check fails. */
    public static StoreHealth start(Database database, Duration interval) {
        requireNonNull(database, "database");
        requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
        }
        StoreHealth health = new StoreHealth(database, interval);
        health.probe.start();
        return health;
    }

    /** Whether the last check (or report) found the store answering; never blocks. */
    public boolean isUp() {
        return up && !closed;
    }

    /**
     * A write or read failed because the store could not be reached (see {@link
     * GroupCommitter#storeUnavailable}): the store counts as down until the probe reaches it again.
     */
    public void reportUnreachable(Throwable cause) {
        if (up) {
            up = false;
            log.atWarn().addKeyValue("error", String.valueOf(cause)).log("store unreachable");
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(probe);
        try {
            probe.join(CHECK_TIMEOUT.multipliedBy(3).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (!closed) {
            boolean answered = check();
            if (answered && !up) {
                log.info("store reachable again");
            } else if (!answered && up) {
                log.warn("store unreachable: its check failed");
            }
            up = answered;
            LockSupport.parkNanos(interval.toNanos());
        }
        disconnect();
    }

    private boolean check() {
        try {
            if (connection == null) {
                connection = database.connectDirectly(CHECK_TIMEOUT);
            }
            if (connection.isValid((int) CHECK_TIMEOUT.toSeconds())) {
                return true;
            }
        } catch (SQLException | RuntimeException e) {
            log.atDebug().addKeyValue("error", e.toString()).log("store check failed");
        }
        disconnect();
        return false;
    }

    private void disconnect() {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            log.atDebug().addKeyValue("error", e.toString()).log("closing the store check's connection failed");
        }
        connection = null;
    }
}
