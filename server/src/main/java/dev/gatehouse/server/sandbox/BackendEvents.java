package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what a backend reports to the store, off the backend's thread: a sandbox that became ready
 * goes from pending to running (at its endpoint), one that failed is failed, its tokens revoked and
 * what is left of it removed. Every replica watching a shared backend hears the same events; the
 * conditional status changes make exactly one of them act. Thread-safe.
 */
final class BackendEvents implements SandboxEvents {
    private static final Logger log = LoggerFactory.getLogger(BackendEvents.class);

    private final Database database;
    private final SandboxTeardown teardown;
    private final Executor executor;
    private final Clock clock;
    private final Consumer<String> changed;

    BackendEvents(Database database, SandboxTeardown teardown, Executor executor, Clock clock,
            Consumer<String> changed) {
        this.database = requireNonNull(database, "database");
        this.teardown = requireNonNull(teardown, "teardown");
        this.executor = requireNonNull(executor, "executor");
        this.clock = requireNonNull(clock, "clock");
        this.changed = requireNonNull(changed, "changed");
    }

    @Override
    public void running(String id, SandboxEndpoint endpoint) {
        executor.execute(() -> {
            Instant now = clock.instant();
            if (database.jdbi().withHandle(handle -> SandboxStore.markRunning(handle, id, endpoint, now))) {
                changed.accept(id);
                log.atInfo().addKeyValue("sandbox", id).addKeyValue("endpoint", endpoint)
                        .addKeyValue("startMillis", database.jdbi().withHandle(handle -> SandboxStore.find(handle, id))
                                .map(sandbox -> Duration.between(sandbox.createdAt(), now).toMillis()).orElse(-1L))
                        .log("sandbox running");
            }
        });
    }

    @Override
    public void failed(String id, String reason) {
        executor.execute(() -> teardown.fail(id, reason, SandboxAudit.CONTROLLER, RequestOrigin.NONE));
    }
}
