package dev.gatehouse.server.tokens;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.TokenType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What to put into a token. The minter adds {@code iss}, {@code iat}, {@code exp}, {@code jti}
 * and {@code typ}; {@code subject} and {@code audience} become {@code sub} and {@code aud}.
 *
 * @param type the {@code typ} claim
 * @param subject the {@code sub} claim; not blank
 * @param audience the {@code aud} claim; omitted when empty; entries not blank
 * @param ttl lifetime, {@code > 0}; minters cap it further
 * @param claims further claims (e.g. {@code org_id}, {@code capabilities}); none of {@link
 *     #RESERVED_CLAIMS}; values must be JSON-serialisable (strings, numbers, booleans, lists, maps)
 */
public record MintRequest(
        TokenType type, String subject, List<String> audience, Duration ttl, Map<String, Object> claims) {

    /** Claims the minter sets itself, which {@link #claims()} may not carry. */
    public static final Set<String> RESERVED_CLAIMS = Set.of("iss", "sub", "aud", "iat", "exp", "jti", "typ");

    public MintRequest {
        requireNonNull(type, "type");
        requireNonNull(subject, "subject");
        requireNonNull(audience, "audience");
        requireNonNull(ttl, "ttl");
        requireNonNull(claims, "claims");
        if (subject.isBlank()) {
            throw new IllegalArgumentException("subject: \"" + subject + "\" (expected: not blank)");
        }
        audience = List.copyOf(audience);
        for (int i = 0; i < audience.size(); i++) {
            if (audience.get(i).isBlank()) {
                throw new IllegalArgumentException(
                        "audience[" + i + "]: \"" + audience.get(i) + "\" (expected: not blank)");
            }
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
        }
        claims = Map.copyOf(claims);
        for (String name : claims.keySet()) {
            if (RESERVED_CLAIMS.contains(name)) {
                throw new IllegalArgumentException(
                        "claims." + name + ": reserved (expected: set by the minter, not by the request)");
            }
        }
    }
}
