package dev.gatehouse.server.tokens;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.gatehouse.server.crypto.SignatureProvider;
import java.time.Clock;

/**
 * Mints tokens signed by the {@linkplain KeyRing#activeSigningKey() active key} of a {@link
 * KeyRing} (ES256 or EdDSA), so a rotation takes effect on the next token. The request's ttl may
 * not exceed {@code tokens.maxTtl}. Signatures are made by the {@link SignatureProvider} given (the
 * JDK's by default). Thread-safe.
 */
public final class SigningTokenMinter implements TokenMinter {
    private final KeyRing keyRing;
    private final JwtSigning signing;
    private final SignatureProvider signatures;
    private volatile ActiveSigner activeSigner;

    private SigningTokenMinter(KeyRing keyRing, JwtSigning signing, SignatureProvider signatures) {
        this.keyRing = keyRing;
        this.signing = signing;
        this.signatures = signatures;
    }

    /** A minter signing with the JDK's providers (and Tink for EdDSA). */
    public static SigningTokenMinter of(KeyRing keyRing, TokensConfig tokens, Clock clock) {
        return of(keyRing, tokens, clock, SignatureProvider.jdk("default"));
    }

    public static SigningTokenMinter of(KeyRing keyRing, TokensConfig tokens, Clock clock,
            SignatureProvider signatures) {
        requireNonNull(keyRing, "keyRing");
        requireNonNull(tokens, "tokens");
        requireNonNull(clock, "clock");
        requireNonNull(signatures, "signatures");
        return new SigningTokenMinter(keyRing, new JwtSigning(tokens, clock), signatures);
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
        ActiveSigner created = ActiveSigner.of(key, signatures);
        activeSigner = created;
        return created;
    }

    /** A signer built once per active key (building one converts the JWK to a JCA/Tink key). */
    private record ActiveSigner(JWK key, JWSAlgorithm algorithm, JWSSigner signer) {
        static ActiveSigner of(JWK key, SignatureProvider signatures) {
            try {
                return switch (key) {
                    case ECKey ec -> new ActiveSigner(key, JWSAlgorithm.ES256, JwsSigners.ecdsa(ec, signatures));
                    case OctetKeyPair okp ->
                            new ActiveSigner(key, JWSAlgorithm.EdDSA, JwsSigners.ed25519(okp, signatures));
                    default -> throw new IllegalStateException(
                            "signing key " + key.getKeyID() + ": unsupported key type " + key.getKeyType());
                };
            } catch (JOSEException e) {
                throw new IllegalStateException("signing key " + key.getKeyID() + ": cannot build a signer", e);
            }
        }
    }
}
