package dev.gatehouse.server.tokens;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * What an operator may see of a signing key: never key material.
 *
 * @param kid the key id carried in the {@code kid} header of tokens it signs
 * @param algorithm JWS algorithm name, e.g. {@code ES256}
 * @param state the state at the time this record was made
 * @param createdAt when the key was generated
 * @param retiredAt when the key stopped signing; empty while active
 * @param verifiesUntil until when the key still verifies; empty while active
 */
public record KeyInfo(
        String kid,
        String algorithm,
        KeyState state,
        Instant createdAt,
        Optional<Instant> retiredAt,
        Optional<Instant> verifiesUntil) {

    public KeyInfo {
        requireNonNull(kid, "kid");
        requireNonNull(algorithm, "algorithm");
        requireNonNull(state, "state");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(retiredAt, "retiredAt");
        requireNonNull(verifiesUntil, "verifiesUntil");
    }
}
