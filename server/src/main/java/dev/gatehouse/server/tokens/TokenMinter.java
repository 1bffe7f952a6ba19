package dev.gatehouse.server.tokens;

/**
 * Issues Gatehouse JWTs: header {@code alg}, {@code kid}, {@code typ: "JWT"}; claims {@code iss},
 * {@code sub}, {@code typ}, {@code iat}, {@code exp}, a unique {@code jti} (the minting millisecond,
 * then 128 random bits), {@code aud} when requested, plus the request's own claims.
 * Implementations are thread-safe.
 */
public interface TokenMinter {

    /**
     * Signs a new token.
     *
     * @throws IllegalArgumentException if the request's ttl exceeds the minter's maximum
     */
    MintedToken mint(MintRequest request);
}
