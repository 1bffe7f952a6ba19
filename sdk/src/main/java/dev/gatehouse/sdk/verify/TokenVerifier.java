package dev.gatehouse.sdk.verify;

import dev.gatehouse.sdk.claims.Claims;
import java.util.Optional;

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

    /**
     * Verifies {@code token} only if that cannot block: a token this verifier accepted before and
     * remembers, checked again for expiry and revocation. A caller on an event loop tries this first
     * and hands {@link #verify} to a worker thread only when it is empty.
     *
     * @return the claims, or empty when the token must go through {@link #verify} (the default: always)
     * @throws TokenRejectedException when the remembered token has been revoked since
     */
    default Optional<Claims> verifyRemembered(String token) throws TokenRejectedException {
        return Optional.empty();
    }
}
