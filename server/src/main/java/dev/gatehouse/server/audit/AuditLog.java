package dev.gatehouse.server.audit;

import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The append-only record of who issued, revoked or was refused revoking which credential. A
 * failure to record propagates: an action that must be audited does not happen unaudited.
 * Implementations are thread-safe; every method blocks (run it off the event loop).
 */
public interface AuditLog {

    /** Records {@code event} in its own transaction. */
    void record(AuditEvent event);

    /**
     * Records {@code event} in the caller's transaction, so that the action and its audit entry are
     * committed (or rolled back) together.
     */
    void record(Handle transaction, AuditEvent event);

    /**
     * Records {@code events} in the caller's transaction, as one batch where the store can: for
     * writers that commit many actions at once.
     */
    default void recordAll(Handle transaction, List<AuditEvent> events) {
        events.forEach(event -> record(transaction, event));
    }

    /** The events matching {@code query}, newest first. */
    List<AuditEvent> find(AuditQuery query);
}
