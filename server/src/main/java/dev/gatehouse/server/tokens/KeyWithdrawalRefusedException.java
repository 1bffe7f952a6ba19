package dev.gatehouse.server.tokens;

import static java.util.Objects.requireNonNull;

/** A signing key that cannot be withdrawn; the message names the key and what to do, nothing secret. */
public final class KeyWithdrawalRefusedException extends RuntimeException {
    /** Why. */
    public enum Reason {
        /** No key has that id. */
        UNKNOWN_KEY,
        /** It is the newest key: rotate first. */
        NEWEST_KEY
    }

    private final Reason reason;

    KeyWithdrawalRefusedException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
