package dev.gatehouse.sdk.claims;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.verify.RejectionReason;

/**
 * A claims set that does not satisfy the Gatehouse claims contract. The message names the claim
 * and says what was expected (for example {@code org_id: number 42 (expected: non-empty string)});
 * it never contains the token.
 */
public final class ClaimsException extends Exception {
    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;

    ClaimsException(RejectionReason reason, String message) {
        super(message, null, false, false);
        this.reason = requireNonNull(reason, "reason");
    }

    /**
     * Why the claims were refused: {@link RejectionReason#MISSING_CLAIM} (absent or malformed),
     * {@link RejectionReason#WRONG_TYPE} (missing or unknown {@code typ}) or
     * {@link RejectionReason#ORGANIZATION_CONFLICT}.
     */
    public RejectionReason reason() {
        return reason;
    }
}
