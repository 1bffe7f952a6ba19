package dev.gatehouse.sdk.verify;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.impl.CriticalHeaderParamsDeferral;
import com.nimbusds.jose.crypto.impl.EdDSAProvider;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;

/**
 * Nimbus's {@code Ed25519Verifier} over a JCA provider instead of Tink: the same checks (algorithm,
 * {@code crit}, none of which it defers, then the signature), with the provider's {@code Ed25519} signature. Nimbus verifies
 * Ed25519 only through Tink; a native provider is an order of magnitude faster (bench/README.md).
 * Immutable and thread-safe.
 */
final class JcaEd25519Verifier extends EdDSAProvider implements JWSVerifier {
    static final String JCA_ALGORITHM = "Ed25519";
    /** SubjectPublicKeyInfo of an Ed25519 key (RFC 8410), up to the 32 key bytes. */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    private static final int SIGNATURE_BYTES = 64;

    private final CriticalHeaderParamsDeferral critPolicy = new CriticalHeaderParamsDeferral();
    private final PublicKey publicKey;
    private final Provider provider;

    /**
     * @throws JOSEException if {@code jwk} is not a public Ed25519 key or {@code provider} does not
     *     offer an Ed25519 signature
     */
    JcaEd25519Verifier(OctetKeyPair jwk, Provider provider) throws JOSEException {
        if (!Curve.Ed25519.equals(jwk.getCurve()) || jwk.isPrivate()) {
            throw new JOSEException("expected a public Ed25519 key, got " + jwk.getCurve()
                    + (jwk.isPrivate() ? " (private)" : ""));
        }
        this.provider = provider;
        byte[] x = jwk.getDecodedX();
        byte[] encoded = new byte[X509_PREFIX.length + x.length];
        System.arraycopy(X509_PREFIX, 0, encoded, 0, X509_PREFIX.length);
        System.arraycopy(x, 0, encoded, X509_PREFIX.length, x.length);
        try {
            // The JDK's key factory: a native provider may verify with keys it does not produce itself.
            publicKey = KeyFactory.getInstance(JCA_ALGORITHM).generatePublic(new X509EncodedKeySpec(encoded));
            Signature.getInstance(JCA_ALGORITHM, provider).initVerify(publicKey);
        } catch (GeneralSecurityException e) {
            throw new JOSEException("cannot verify Ed25519 with " + provider.getName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signedContent, Base64URL signature) throws JOSEException {
        if (!supportedJWSAlgorithms().contains(header.getAlgorithm())) {
            throw new JOSEException("JcaEd25519Verifier requires alg=Ed25519 or alg=EdDSA in JWSHeader");
        }
        if (!critPolicy.headerPasses(header)) {
            return false;
        }
        byte[] bytes = signature.decode();
        if (bytes.length != SIGNATURE_BYTES) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance(JCA_ALGORITHM, provider);
            verifier.initVerify(publicKey);
            verifier.update(signedContent);
            return verifier.verify(bytes);
        } catch (InvalidKeyException e) {
            throw new JOSEException("invalid Ed25519 public key: " + e.getMessage(), e);
        } catch (SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new JOSEException(e.getMessage(), e);
        }
    }
}
