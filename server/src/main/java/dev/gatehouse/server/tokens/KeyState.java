package dev.gatehouse.server.tokens;

/**
 * Life-cycle state of a signing key, computed from the clock: {@code PENDING → ACTIVE → RETIRED →
 * EXPIRED}, or {@link #REVOKED} when an operator withdrew it. A key that is published verifies,
 * whatever its state short of {@link #EXPIRED} or {@link #REVOKED}.
 */
public enum KeyState {
    /**
     * Published (in the JWKS) and verifies, but does not sign before {@link KeyInfo#signsFrom()}:
     * a rotated-in key waits {@code keys.refreshInterval} after its creation so that every replica
     * and every JWKS cache knows it before any token carries its {@code kid}.
     */
    PENDING,
    /**
     * Signs new tokens and verifies. Exactly one key is active at any instant: while the newest key
     * is {@link #PENDING}, the key it replaced, although already retired in the store.
     */
    ACTIVE,
    /** No longer signs; still verifies tokens it signed until {@link KeyInfo#verifiesUntil()}. */
    RETIRED,
    /** Past {@link KeyInfo#verifiesUntil()}: neither signs nor verifies, and is not published. */
    EXPIRED,
    /**
     * Withdrawn ({@code gatehouse keys revoke}): neither signs nor verifies nor is published, and every
     * token it signed is refused, remembered by a verifier or not.
     */
    REVOKED
}
