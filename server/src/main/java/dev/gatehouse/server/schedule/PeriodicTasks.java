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
 * task's own message and retried at the next run. {@link #cancel()} stops every task and waits for the
 * runs in progress to finish. Thread-safe.
 */
public final class PeriodicTasks {
    private static final Logger log = LoggerFactory.getLogger(PeriodicTasks.class);

    private static final Duration CANCEL_WAIT = Duration.ofSeconds(30);

    private final Vertx vertx;
    private final List<Long> timers = new CopyOnWriteArrayList<>();
    private final List<AtomicBoolean> runs = new CopyOnWriteArrayList<>();

    public PeriodicTasks(Vertx vertx) {
        this.vertx = requireNonNull(vertx, "vertx");
    }

    /**
     * Runs {@code task} every {@code interval}.
     *
     * @param failure what to log (at WARN, with the cause) when a run fails
     */
    public void every(Duration interval, Runnable task, String failure) {
        every(interval, task, failure, false);
    }

    /** As {@link #every}, with a first run at once. */
    public void nowAndEvery(Duration interval, Runnable task, String failure) {
        every(interval, task, failure, true);
    }

    private void every(Duration interval, Runnable task, String failure, boolean now) {
        requireNonNull(interval, "interval");
        requireNonNull(task, "task");
        requireNonNull(failure, "failure");
        AtomicBoolean running = new AtomicBoolean();
        runs.add(running);
        Runnable run = () -> {
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
        };
        timers.add(vertx.setPeriodic(interval.toMillis(), id -> run.run()));
        if (now) {
            run.run();
        }
    }

    /** Cancels every task and waits (at most 30 s) for the runs in progress; blocks. */
    public void cancel() {
        timers.forEach(vertx::cancelTimer);
        timers.clear();
        long deadline = System.nanoTime() + CANCEL_WAIT.toNanos();
        while (runs.stream().anyMatch(AtomicBoolean::get) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
