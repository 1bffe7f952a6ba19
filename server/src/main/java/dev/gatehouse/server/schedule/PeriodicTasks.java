package dev.gatehouse.server.schedule;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background work of a running replica: blocking tasks run periodically off the event loop, one run
 * of each task at a time (a run still going when the next is due is skipped), failures logged with the
 * task's own message and retried at the next run. {@link #cancel()} stops every task; a run in
 * progress finishes. Thread-safe.
 */
public final class PeriodicTasks {
    private static final Logger log = LoggerFactory.getLogger(PeriodicTasks.class);

    private final Vertx vertx;
    private final List<Long> timers = new CopyOnWriteArrayList<>();

    public PeriodicTasks(Vertx vertx) {
        this.vertx = requireNonNull(vertx, "vertx");
    }

    /**
     * Runs {@code task} every {@code interval}.
     *
     * @param failure what to log (at WARN, with the cause) when a run fails
     */
    public void every(Duration interval, Runnable task, String failure) {
        requireNonNull(interval, "interval");
        requireNonNull(task, "task");
        requireNonNull(failure, "failure");
        AtomicBoolean running = new AtomicBoolean();
        timers.add(vertx.setPeriodic(interval.toMillis(), id -> {
            if (!running.compareAndSet(false, true)) {
                return;
            }
            vertx.executeBlocking(() -> {
                task.run();
                return null;
            }, false).onComplete(result -> {
                running.set(false);
                if (result.failed()) {
                    log.atWarn().setCause(result.cause()).log(failure);
                }
            });
        }));
    }

    /** Cancels every task. */
    public void cancel() {
        timers.forEach(vertx::cancelTimer);
        timers.clear();
    }
}
