package dev.gatehouse.sdk.verify;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jwt.proc.BadJWTException;

/**
 * A refusal raised inside a Nimbus processing stage. The stages may only throw the exception types
 * their Nimbus interfaces declare, so the reason travels in these subclasses and
 * {@link GatehouseTokenVerifier} maps it back without reading any message.
 */
sealed interface Rejection permits Rejection.OfToken, Rejection.OfKey {

    RejectionReason reason();

    /** Raised by the header type and claims stages. */
    final class OfToken extends BadJWTException implements Rejection {
        private static final long serialVersionUID = 1L;

        private final RejectionReason reason;

        OfToken(RejectionReason reason, String message) {
            super(message);
            this.reason = reason;
        }

        @Override
        public RejectionReason reason() {
            return reason;
        }
    }

    /** Raised by the key selection stage. */
    final class OfKey extends KeySourceException implements Rejection {
        private static final long serialVersionUID = 1L;

        private final RejectionReason reason;

        OfKey(RejectionReason reason, String message) {
            super(message);
            this.reason = reason;
        }

        @Override
        public RejectionReason reason() {
            return reason;
        }
    }
}
