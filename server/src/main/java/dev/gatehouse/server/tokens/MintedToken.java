package dev.gatehouse.server.tokens;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A freshly minted token.
 *
 * @param token the compact JWS; a credential: never log it
 * @param tokenId its {@code jti}
 * @param issuedAt its {@code iat} (whole seconds)
 * @param expiresAt its {@code exp} (whole seconds)
 * @param keyId the {@code kid} of the key that signed it
 */
public record MintedToken(String token, String tokenId, Instant issuedAt, Instant expiresAt, String keyId) {

    public MintedToken {
        requireNonNull(token, "token");
        requireNonNull(tokenId, "tokenId");
        requireNonNull(issuedAt, "issuedAt");
        requireNonNull(expiresAt, "expiresAt");
        requireNonNull(keyId, "keyId");
    }

    @Override
    public String toString() {
        return "MintedToken[tokenId=" + tokenId + ", issuedAt=" + issuedAt + ", expiresAt=" + expiresAt
                + ", keyId=" + keyId + "]";
    }
}
