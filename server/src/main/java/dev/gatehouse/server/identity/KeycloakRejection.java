package dev.gatehouse.server.identity;

import com.nimbusds.jwt.proc.BadJWTException;
import dev.gatehouse.sdk.verify.RejectionReason;

/**
 * A refusal raised inside a Nimbus processing stage of {@link KeycloakVerifier}; the stage may only
 * throw what its Nimbus interface declares, so the reason travels in this type.
 */
final class KeycloakRejection extends BadJWTException {
    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;

    KeycloakRejection(RejectionReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    RejectionReason reason() {
        return reason;
    }
}
