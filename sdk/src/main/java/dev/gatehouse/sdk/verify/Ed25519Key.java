package dev.gatehouse.sdk.verify;

import com.nimbusds.jose.jwk.OctetKeyPair;
import java.security.PublicKey;

/**
 * Carries an Ed25519 public JWK through Nimbus's {@code java.security.Key}-typed key selection to
 * {@link VerifierFactory}, which verifies from the JWK: through Tink, or through a signature provider
 * with a JCA key it builds from the JWK.
 */
record Ed25519Key(OctetKeyPair jwk) implements PublicKey {
    @Override
    public String getAlgorithm() {
        return "Ed25519";
    }

    @Override
    public String getFormat() {
        return null;
    }

    @Override
    public byte[] getEncoded() {
        return null;
    }
}
