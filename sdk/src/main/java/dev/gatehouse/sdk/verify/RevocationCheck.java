package dev.gatehouse.sdk.verify;

import dev.gatehouse.sdk.claims.Claims;

/**
 * Decides whether an otherwise valid token has been revoked, typically by looking up
 * {@link Claims#tokenId()} in a revocation list. Called last, only for tokens that passed every
 * other check. Must be thread-safe. An exception thrown here propagates out of
 * {@link TokenVerifier#verify(String)}: the token is not accepted.
 */
@FunctionalInterface
public interface RevocationCheck {
    /** A check that revokes nothing. */
    RevocationCheck NONE = claims -> false;

    /** Whether the token with these claims is revoked. */
    boolean isRevoked(Claims claims);
}
