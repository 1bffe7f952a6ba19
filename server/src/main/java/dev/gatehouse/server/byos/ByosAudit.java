package dev.gatehouse.server.byos;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.audit.AuditEvent.Outcome;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The audit log's entries about subscriptions; the target is the provider, never a credential. */
public final class ByosAudit {
    /** A subscription connected (OAuth or a pasted key), or a connection refused after its state was accepted. */
    public static final String CONNECTED = "byos.connected";
    public static final String DISCONNECTED = "byos.disconnected";
    /** The provider refused a refresh: the subscription is broken until connected again. */
    public static final String REFRESH_FAILED = "byos.refresh_failed";
    /** Gatehouse refreshing subscriptions on its own. */
    public static final Actor REFRESHER = new Actor("byos-refresher", "urn:gatehouse:byos-refresher");

    private ByosAudit() {}

    static AuditEvent event(Instant at, ByosOwner owner, String provider, String action, Actor actor,
            RequestOrigin origin, Outcome outcome, Map<String, Object> detail) {
        Map<String, Object> all = new LinkedHashMap<>(detail);
        all.put("owner", owner.subject());
        return AuditEvent.of(at, actor, Optional.of(owner.organization()), action, Optional.of(provider), origin,
                outcome, all);
    }
}
