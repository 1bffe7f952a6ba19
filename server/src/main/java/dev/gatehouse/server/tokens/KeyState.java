package dev.gatehouse.server.tokens;

/** Life-cycle state of a signing key, computed from the clock. */
public enum KeyState {
    /** Signs new tokens and verifies; exactly one key is active. */
    ACTIVE,
    /** No longer signs; still verifies tokens it signed until {@link KeyInfo#verifiesUntil()}. */
    RETIRED,
    /** Past {@link KeyInfo#verifiesUntil()}: neither signs nor verifies, and is not published. */
    EXPIRED
}
