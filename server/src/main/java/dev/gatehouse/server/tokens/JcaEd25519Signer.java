package dev.gatehouse.server.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.impl.EdDSAProvider;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;

/**
 * Nimbus's {@code Ed25519Signer} over a JCA provider instead of Tink, for a native provider that
 * signs an order of magnitude faster (bench/README.md). Immutable and thread-safe.
 */
final class JcaEd25519Signer extends EdDSAProvider implements JWSSigner {
    private static final String JCA_ALGORITHM = "Ed25519";
    /** PKCS#8 PrivateKeyInfo of an Ed25519 key (RFC 8410), up to the 32 key bytes. */
    private static final byte[] PKCS8_PREFIX = {
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};

    private final PrivateKey privateKey;
    private final Provider provider;

    /**
     * @throws JOSEException if {@code jwk} is not a private Ed25519 key or {@code provider} cannot
     *     sign Ed25519 with it
     */
    JcaEd25519Signer(OctetKeyPair jwk, Provider provider) throws JOSEException {
        if (!Curve.Ed25519.equals(jwk.getCurve()) || !jwk.isPrivate()) {
            throw new JOSEException("expected a private Ed25519 key, got " + jwk.getCurve()
                    + (jwk.isPrivate() ? "" : " (public)"));
        }
        this.provider = provider;
        byte[] d = jwk.getDecodedD();
        byte[] encoded = new byte[PKCS8_PREFIX.length + d.length];
        System.arraycopy(PKCS8_PREFIX, 0, encoded, 0, PKCS8_PREFIX.length);
        System.arraycopy(d, 0, encoded, PKCS8_PREFIX.length, d.length);
        try {
            // The JDK's key factory: a native provider may sign with keys it does not produce itself.
            privateKey = KeyFactory.getInstance(JCA_ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(encoded));
            Signature.getInstance(JCA_ALGORITHM, provider).initSign(privateKey);
        } catch (GeneralSecurityException e) {
            throw new JOSEException("cannot sign Ed25519 with " + provider.getName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
        if (!supportedJWSAlgorithms().contains(header.getAlgorithm())) {
            throw new JOSEException("JcaEd25519Signer requires alg=Ed25519 or alg=EdDSA in JWSHeader");
        }
        try {
            Signature signer = Signature.getInstance(JCA_ALGORITHM, provider);
            signer.initSign(privateKey);
            signer.update(signingInput);
            return Base64URL.encode(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new JOSEException(e.getMessage(), e);
        }
    }
}
