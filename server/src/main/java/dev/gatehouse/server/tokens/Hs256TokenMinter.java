package dev.gatehouse.server.tokens;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeyLengthException;
import com.nimbusds.jose.crypto.MACSigner;
import dev.gatehouse.server.secrets.Secret;
import java.time.Clock;

/**
 * Mints HS256 tokens with the shared {@code keys.hs256Secret}, for interop with services that only
 * verify HMAC; header {@code kid} is {@value #KEY_ID}. The request's ttl may not exceed {@code
 * tokens.maxTtl}. Thread-safe.
 */
public final class Hs256TokenMinter implements TokenMinter {
    public static final String KEY_ID = "hs256";

    private final MACSigner signer;
    private final JwtSigning signing;

    private Hs256TokenMinter(MACSigner signer, JwtSigning signing) {
        this.signer = signer;
        this.signing = signing;
    }

    /**
     * @throws IllegalArgumentException if {@code secret} is shorter than {@value
     *     KeysConfig#MIN_HS256_SECRET_BYTES} bytes
     */
    public static Hs256TokenMinter of(Secret secret, TokensConfig tokens, Clock clock) {
        requireNonNull(secret, "secret");
        requireNonNull(tokens, "tokens");
        requireNonNull(clock, "clock");
        if (secret.length() < KeysConfig.MIN_HS256_SECRET_BYTES) {
            throw new IllegalArgumentException("keys.hs256Secret: " + secret.length()
                    + " bytes (expected: >= " + KeysConfig.MIN_HS256_SECRET_BYTES + " bytes)");
        }
        try {
            return new Hs256TokenMinter(new MACSigner(secret.bytes()), new JwtSigning(tokens, clock));
        } catch (KeyLengthException e) {
            throw new IllegalStateException("HS256 secret rejected by the signer", e);
        }
    }

    /** @throws IllegalArgumentException if {@code request.ttl()} exceeds {@code tokens.maxTtl} */
    @Override
    public MintedToken mint(MintRequest request) {
        requireNonNull(request, "request");
        return signing.sign(request, JWSAlgorithm.HS256, KEY_ID, signer);
    }
}
