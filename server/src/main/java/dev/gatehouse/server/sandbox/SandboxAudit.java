package dev.gatehouse.server.sandbox;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.audit.AuditEvent.Outcome;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The audit log's entries about sandboxes; their tokens are audited by the minting path itself. */
public final class SandboxAudit {
    public static final String CREATED = "sandbox.created";
    public static final String DELETED = "sandbox.deleted";
    public static final String STOPPED = "sandbox.stopped";
    public static final String FAILED = "sandbox.failed";
    /** Backend objects or processes without a live record, removed. */
    public static final String ORPHAN_COLLECTED = "sandbox.orphan_collected";
    /** The sandbox controller acting on its own (reaping, rotation, orphan collection, failures). */
    public static final Actor CONTROLLER = new Actor("sandbox-controller", "urn:gatehouse:sandbox-controller");

    private SandboxAudit() {}

    /** An entry about {@code sandbox}; {@code detail} gains its owner and profile. */
    static AuditEvent event(Instant at, Sandbox sandbox, String action, Actor actor, RequestOrigin origin,
            Map<String, Object> detail) {
        Map<String, Object> all = new LinkedHashMap<>(detail);
        all.put("owner", sandbox.ownerSubject());
        all.put("profile", sandbox.profile());
        return AuditEvent.of(at, actor, Optional.of(sandbox.organization()), action, Optional.of(sandbox.id()), origin,
                Outcome.SUCCESS, all);
    }
}
