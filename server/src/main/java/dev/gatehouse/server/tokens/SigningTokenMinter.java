package dev.gatehouse.server.tokens;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import java.time.Clock;

/**
 * Mints tokens signed by the {@linkplain KeyRing#activeSigningKey() active key} of a {@link
 * KeyRing} (ES256 or EdDSA), so a rotation takes effect on the next token. The request's ttl may
 * not exceed {@code tokens.maxTtl}. Thread-safe.
 */
public final class SigningTokenMinter implements TokenMinter {
    private final KeyRing keyRing;
    private final JwtSigning signing;
    private volatile ActiveSigner activeSigner;

    private SigningTokenMinter(KeyRing keyRing, JwtSigning signing) {
        this.keyRing = keyRing;
        this.signing = signing;
    }

    public static SigningTokenMinter of(KeyRing keyRing, TokensConfig tokens, Clock clock) {
        requireNonNull(keyRing, "keyRing");
        requireNonNull(tokens, "tokens");
        requireNonNull(clock, "clock");
        return new SigningTokenMinter(keyRing, new JwtSigning(tokens, clock));
    }

    /**
     * @throws IllegalArgumentException if {@code request.ttl()} exceeds {@code tokens.maxTtl}
     * @throws IllegalStateException if the key ring is closed
     */
    @Override
    public MintedToken mint(MintRequest request) {
        requireNonNull(request, "request");
        ActiveSigner signer = signerFor(keyRing.activeSigningKey());
        return signing.sign(request, signer.algorithm(), signer.key().getKeyID(), signer.signer());
    }

    private ActiveSigner signerFor(JWK key) {
        ActiveSigner cached = activeSigner;
        if (cached != null && cached.key() == key) {
            return cached;
        }
        ActiveSigner created = ActiveSigner.of(key);
        activeSigner = created;
        return created;
    }

    /** A signer built once per active key (building one converts the JWK to a JCA/Tink key). */
    private record ActiveSigner(JWK key, JWSAlgorithm algorithm, JWSSigner signer) {
        static ActiveSigner of(JWK key) {
            try {
                return switch (key) {
                    case ECKey ec -> new ActiveSigner(key, JWSAlgorithm.ES256, new ECDSASigner(ec));
                    case OctetKeyPair okp -> new ActiveSigner(key, JWSAlgorithm.EdDSA, new Ed25519Signer(okp));
                    default -> throw new IllegalStateException(
                            "signing key " + key.getKeyID() + ": unsupported key type " + key.getKeyType());
                };
            } catch (JOSEException e) {
                throw new IllegalStateException("signing key " + key.getKeyID() + ": cannot build a signer", e);
            }
        }
    }
}
