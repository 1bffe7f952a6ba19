package dev.gatehouse.server;

import dev.gatehouse.server.http.ReadinessCheck;
import dev.gatehouse.server.http.Routes;
import java.util.List;

/**
 * One role as this process runs it: the routes it serves, what {@code /readyz} waits for on its
 * behalf, and what it opened. {@link #close()} runs after the HTTP server has drained, and releases
 * only what the role itself opened.
 */
interface RunningRole extends AutoCloseable {

    List<Routes> routes();

    default List<ReadinessCheck> readinessChecks() {
        return List.of();
    }

    /** Releases what the role opened; must not throw. */
    @Override
    default void close() {}
}
