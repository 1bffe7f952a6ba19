package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.store.Database;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends sandboxes: stops or fails them in the store (a conditional status change, so of several
 * replicas exactly one ends each sandbox), revokes their tokens, removes what the backend runs and
 * audits it. The one way every path (deletion, reaping, backend failures, orphan collection, the
 * operator CLI) ends a sandbox. Every method blocks. Thread-safe.
 */
final class SandboxTeardown {
    private static final List<SandboxStatus> LIVE = List.of(SandboxStatus.PENDING, SandboxStatus.RUNNING);
    private static final Logger log = LoggerFactory.getLogger(SandboxTeardown.class);

    private final Database database;
    private final SandboxBackend backend;
    private final SandboxCredentials credentials;
    private final AuditLog audit;
    private final Clock clock;
    private final Consumer<String> changed;

    /** @param changed told the id of every sandbox this ends (e.g. to drop it from caches) */
    SandboxTeardown(Database database, SandboxBackend backend, SandboxCredentials credentials, AuditLog audit,
            Clock clock, Consumer<String> changed) {
        this.database = requireNonNull(database, "database");
        this.backend = requireNonNull(backend, "backend");
        this.credentials = requireNonNull(credentials, "credentials");
        this.audit = requireNonNull(audit, "audit");
        this.clock = requireNonNull(clock, "clock");
        this.changed = requireNonNull(changed, "changed");
    }

    /**
     * Stops a pending or running sandbox for {@code reason}: stopping, tokens revoked, backend removed,
     * stopped. Audited as {@code action} (with {@code detail}) in the same transaction as the change.
     *
     * @return whether this call stopped it (false: it was not live, or another replica got there first)
     */
    boolean stop(String id, String reason, String action, Map<String, Object> detail, Actor actor,
            RequestOrigin origin) {
        Optional<Sandbox> stopped = database.jdbi().inTransaction(handle -> {
            Optional<Sandbox> sandbox = SandboxStore.find(handle, id);
            if (sandbox.isEmpty() || !SandboxStore.transition(handle, id, LIVE, SandboxStatus.STOPPING,
                    Optional.of(reason), clock.instant())) {
                return Optional.empty();
            }
            audit.record(handle, SandboxAudit.event(clock.instant(), sandbox.get(), action, actor, origin, detail));
            return sandbox;
        });
        if (stopped.isEmpty()) {
            return false;
        }
        changed.accept(id);
        finish(id, actor, origin);
        return true;
    }

    /**
     * Fails a pending or running sandbox for {@code reason} (a sentence for its owner): its tokens
     * revoked, then failed, then what the backend runs removed.
     *
     * @return whether this call failed it
     */
    boolean fail(String id, String reason, Actor actor, RequestOrigin origin) {
        // First, so that a sandbox shown as failed holds no live token (revoking an ended one's is a no-op).
        credentials.revokeAll(id, actor, origin);
        Optional<Sandbox> failed = database.jdbi().inTransaction(handle -> {
            Optional<Sandbox> sandbox = SandboxStore.find(handle, id);
            if (sandbox.isEmpty() || !SandboxStore.transition(handle, id, LIVE, SandboxStatus.FAILED,
                    Optional.of(reason), clock.instant())) {
                return Optional.empty();
            }
            audit.record(handle, SandboxAudit.event(clock.instant(), sandbox.get(), SandboxAudit.FAILED, actor, origin,
                    Map.of("reason", reason)));
            return sandbox;
        });
        if (failed.isEmpty()) {
            return false;
        }
        log.atWarn().addKeyValue("sandbox", id).addKeyValue("reason", reason).log("sandbox failed");
        changed.accept(id);
        remove(id, actor, origin);
        return true;
    }

    /**
     * Completes the stop of a sandbox in {@code stopping}: tokens revoked, backend removed, stopped.
     * Safe to repeat (a replica that stopped mid-way is finished by the next orphan collection).
     */
    void finish(String id, Actor actor, RequestOrigin origin) {
        if (remove(id, actor, origin)) {
            database.jdbi().useHandle(handle -> SandboxStore.transition(handle, id, List.of(SandboxStatus.STOPPING),
                    SandboxStatus.STOPPED, Optional.empty(), clock.instant()));
            changed.accept(id);
        }
    }

    /**
     * Revokes every token of {@code id}, removes whatever the backend runs for it, and revokes again:
     * a token minted while it was being removed (a creation or rotation in flight) goes too.
     *
     * @return whether the backend removed it; false when it could not be reached (logged; retried by the
     *     next orphan collection)
     */
    boolean remove(String id, Actor actor, RequestOrigin origin) {
        credentials.revokeAll(id, actor, origin);
        try {
            backend.delete(id);
            return true;
        } catch (SandboxBackendException e) {
            log.atWarn().setCause(e).addKeyValue("sandbox", id)
                    .log("removing the sandbox from the backend failed; orphan collection will retry");
            return false;
        } finally {
            credentials.revokeAll(id, actor, origin);
        }
    }
}
