package dev.gatehouse.sdk.verify;

import static java.util.Objects.requireNonNull;

/**
 * A token was refused. {@link #reason()} is the stable classification; the message is the precise
 * detail for logs (for example {@code token expired at 2026-01-01T00:00:00Z (now
 * 2026-01-01T00:05:00Z, leeway PT30S)}) and never contains the token. Claim values quoted in the
 * message are truncated; the message is meant for operators, the {@linkplain RejectionReason#code()
 * code} for clients.
 */
public final class TokenRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;

    /** A refusal for {@code reason} with a detail message that must not contain the token. */
    public TokenRejectedException(RejectionReason reason, String message) {
        this(reason, message, null);
    }

    /** A refusal for {@code reason} caused by {@code cause}; the message must not contain the token. */
    public TokenRejectedException(RejectionReason reason, String message, Throwable cause) {
        super(requireNonNull(message, "message"), cause, false, false);
        this.reason = requireNonNull(reason, "reason");
    }

    /** Why the token was refused. */
    public RejectionReason reason() {
        return reason;
    }
}
