package dev.gatehouse.server.store;

import dev.gatehouse.server.http.ApiException;

/**
 * A write was not accepted: the {@link GroupCommitter}'s queue is full, or it is shutting down.
 * Nothing was written; the caller may retry (on another replica, or shortly). The message is safe
 * to show.
 */
public final class StoreBusyException extends ApiException {
    private static final long serialVersionUID = 1L;

    /** @param code {@code store_busy} (queue full) or {@code shutting_down} */
    StoreBusyException(String code, String message) {
        // A full queue drains in well under a second.
        super(503, code, message, 1);
    }
}
