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
 * @param createdAt when the key was generated, and published
 * @param signsFrom when the key starts signing: {@code createdAt} for the first key, otherwise
 *     when the key before it stops signing, i.e. {@code createdAt + keys.refreshInterval} for a
 *     rotated-in key
 * @param retiredAt when the key was rotated out; it goes on signing until the next key's {@code
 *     signsFrom}. Empty for the newest key
 * @param verifiesUntil until when the key still verifies: {@code retiredAt + keys.refreshInterval
 *     + tokens.maxTtl + tokens.clockSkew}. Empty for the newest key
 * @param revokedAt when the key was withdrawn ({@link KeyState#REVOKED}); empty for every other key
 */
public record KeyInfo(
        String kid,
        String algorithm,
        KeyState state,
        Instant createdAt,
        Instant signsFrom,
        Optional<Instant> retiredAt,
        Optional<Instant> verifiesUntil,
        Optional<Instant> revokedAt) {

    public KeyInfo {
        requireNonNull(kid, "kid");
        requireNonNull(algorithm, "algorithm");
        requireNonNull(state, "state");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(signsFrom, "signsFrom");
        requireNonNull(retiredAt, "retiredAt");
        requireNonNull(verifiesUntil, "verifiesUntil");
        requireNonNull(revokedAt, "revokedAt");
    }
}
