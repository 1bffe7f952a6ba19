package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.store.Database;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workspace controller of one replica, assembled: the sandbox API's operations ({@link
 * #sandboxes()}), the proxy's view ({@link #directory()}, {@link #activity()}), the periodic work
 * ({@link #lifecycle()}) and the backend with its events applied to the store. {@link #close()} waits
 * for events in flight, ends the sandboxes that cannot outlive this process ({@link
 * SandboxBackend#endsWithGatehouse()}), and closes the backend. Thread-safe.
 */
public final class SandboxController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SandboxController.class);

    private final SandboxBackend backend;
    private final boolean watching;
    private final SandboxTeardown teardown;
    private final Sandboxes sandboxes;
    private final SandboxLifecycle lifecycle;
    private final SandboxDirectory directory;
    private final SandboxActivity activity;
    private final ExecutorService events;

    private SandboxController(SandboxBackend backend, boolean watching, SandboxTeardown teardown, Sandboxes sandboxes,
            SandboxLifecycle lifecycle, SandboxDirectory directory, SandboxActivity activity, ExecutorService events) {
        this.backend = backend;
        this.watching = watching;
        this.teardown = teardown;
        this.sandboxes = sandboxes;
        this.lifecycle = lifecycle;
        this.directory = directory;
        this.activity = activity;
        this.events = events;
    }

    /**
     * Assembles the controller and starts the backend (which from then on reports its sandboxes'
     * events). The backend is closed with the controller.
     *
     * @param channels the gateway's channels, from which sandboxes' tokens are given theirs
     * @param subscriptions the owners' subscriptions, for sandboxes in BYOS mode
     */
    public static SandboxController open(SandboxConfig config, List<ChannelConfig> channels, Database database,
            AuditLog audit, SandboxBackend backend, SandboxCredentials credentials, SandboxSubscriptions subscriptions,
            Clock clock) {
        return assemble(config, channels, database, audit, backend, credentials, subscriptions, clock, true);
    }

    /**
     * A controller for a one-shot operator command ({@code gatehouse sandbox ...}) beside running
     * replicas: the backend is not started (no watch; the process backend leaves running runtimes
     * alone), and nothing is stopped when it closes.
     */
    public static SandboxController forOperator(SandboxConfig config, List<ChannelConfig> channels, Database database,
            AuditLog audit, SandboxBackend backend, SandboxCredentials credentials, SandboxSubscriptions subscriptions,
            Clock clock) {
        return assemble(config, channels, database, audit, backend, credentials, subscriptions, clock, false);
    }

    private static SandboxController assemble(SandboxConfig config, List<ChannelConfig> channels, Database database,
            AuditLog audit, SandboxBackend backend, SandboxCredentials credentials, SandboxSubscriptions subscriptions,
            Clock clock, boolean watch) {
        requireNonNull(config, "config");
        requireNonNull(database, "database");
        requireNonNull(backend, "backend");
        SandboxChannels sandboxChannels = new SandboxChannels(channels);
        SandboxDirectory directory = new SandboxDirectory(id ->
                database.jdbi().withHandle(handle -> SandboxStore.find(handle, id)));
        SandboxActivity activity = new SandboxActivity(database, clock);
        SandboxTeardown teardown = new SandboxTeardown(database, backend, credentials, audit, clock, id -> {
            directory.forget(id);
            activity.forget(id);
        });
        ExecutorService events = Executors.newVirtualThreadPerTaskExecutor();
        if (watch) {
            try {
                backend.start(new BackendEvents(database, teardown, events, clock, directory::forget));
            } catch (RuntimeException e) {
                events.shutdownNow();
                backend.close();
                throw e;
            }
        }
        return new SandboxController(backend, watch, teardown,
                new Sandboxes(config, sandboxChannels, database, backend, credentials, subscriptions, teardown, audit,
                        clock),
                new SandboxLifecycle(config, sandboxChannels, database, backend, credentials, subscriptions, teardown,
                        activity, audit, clock),
                directory, activity, events);
    }

    public Sandboxes sandboxes() {
        return sandboxes;
    }

    public SandboxLifecycle lifecycle() {
        return lifecycle;
    }

    public SandboxDirectory directory() {
        return directory;
    }

    public SandboxActivity activity() {
        return activity;
    }

    /**
     * Blocks until the events in flight are applied, the sandboxes tied to this process (when it
     * watches the backend) are stopped and the backend is closed.
     */
    @Override
    public void close() {
        events.shutdown();
        try {
            events.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (watching && backend.endsWithGatehouse()) {
                backend.list().parallelStream().forEach(id -> teardown.stop(id,
                        "Gatehouse stopped; the process backend's sandboxes are its child processes.",
                        SandboxAudit.STOPPED, Map.of("why", "gatehouse_stopped"), SandboxAudit.CONTROLLER,
                        RequestOrigin.NONE));
            }
            activity.flush();
        } catch (RuntimeException e) {
            log.atWarn().setCause(e).log("stopping sandboxes on shutdown failed");
        } finally {
            backend.close();
        }
    }
}
