package dev.gatehouse.sdk.verify;

import dev.gatehouse.sdk.claims.Claims;

/**
 * Turns a bearer token into verified {@link Claims}, or refuses it with a precise reason.
 * Implementations are thread-safe.
 */
@FunctionalInterface
public interface TokenVerifier {
    /**
     * Verifies {@code token} (the compact serialization, without any {@code Bearer } prefix).
     *
     * @return the claims of a token whose signature, issuer, audience, validity window, type and
     *     claims all check out and that is not revoked
     * @throws TokenRejectedException when any check fails; its message never contains the token
     */
    Claims verify(String token) throws TokenRejectedException;
}
