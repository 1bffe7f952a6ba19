package dev.gatehouse.server.sandbox.process;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One sandbox's runtime as a child process: its process, loopback port and directory, and whether
 * Gatehouse is stopping or restarting it (then its exit is not a failure). Thread-safe.
 */
final class ChildRuntime {
    private static final Duration GRACE = Duration.ofSeconds(5);

    private final String id;
    private final Path directory;
    private final int port;
    private volatile Process process;
    private volatile boolean healthy;
    private volatile boolean stopping;
    private volatile boolean restarting;

    ChildRuntime(String id, Path directory, int port, Process process) {
        this.id = requireNonNull(id, "id");
        this.directory = requireNonNull(directory, "directory");
        this.port = port;
        this.process = requireNonNull(process, "process");
    }

    String id() {
        return id;
    }

    Path directory() {
        return directory;
    }

    int port() {
        return port;
    }

    /** Whether {@code candidate} is still this sandbox's current process (not one replaced by a restart). */
    boolean isCurrent(Process candidate) {
        return process == candidate;
    }

    /**
     * Restarts the runtime: terminates the current process (its exit is not a failure) and starts the
     * one {@code launcher} gives, on the same port. Blocks; never runs at the same time as {@link #stop}.
     *
     * @return the new process
     * @throws IllegalStateException when the runtime is being stopped: nothing is started then
     */
    synchronized Process restart(Launcher launcher) throws IOException {
        if (stopping) {
            throw new IllegalStateException("stopping");
        }
        restarting = true;
        try {
            terminate(process);
            process = launcher.launch();
            healthy = false;
            return process;
        } finally {
            restarting = false;
        }
    }

    /** Starts a runtime process. */
    @FunctionalInterface
    interface Launcher {
        Process launch() throws IOException;
    }

    /** Whether an exit of the current process is expected: Gatehouse is stopping or restarting it. */
    boolean exitExpected() {
        return stopping || restarting;
    }

    boolean healthy() {
        return healthy;
    }

    void markHealthy() {
        healthy = true;
    }

    boolean stopping() {
        return stopping;
    }

    /** Stops the process and its descendants: SIGTERM, then SIGKILL after a grace period. Blocks. */
    synchronized void stop() {
        stopping = true;
        terminate(process);
    }

    /** Terminates {@code target} and its descendants (a custom command may fork). Blocks up to the grace period. */
    static void terminate(Process target) {
        target.descendants().forEach(ProcessHandle::destroy);
        target.destroy();
        try {
            if (!target.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                target.descendants().forEach(ProcessHandle::destroyForcibly);
                target.destroyForcibly().waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            target.destroyForcibly();
        }
    }
}
