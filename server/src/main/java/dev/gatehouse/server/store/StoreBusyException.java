package dev.gatehouse.server.store;

/**
 * A write was not accepted: the {@link GroupCommitter}'s queue is full, or it is shutting down.
 * Nothing was written; the caller may retry (on another replica, or shortly). The message is safe
 * to show.
 */
public final class StoreBusyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;

    StoreBusyException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    /** A stable machine code: {@code store_busy} (queue full) or {@code shutting_down}. */
    public String code() {
        return code;
    }
}
