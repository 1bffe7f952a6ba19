package dev.gatehouse.server.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.gatehouse.server.crypto.SignatureProvider;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;

/**
 * Nimbus signers for signing keys over a {@link SignatureProvider}: without a JCA provider, Nimbus's
 * own (the JDK's ECDSA, Tink's Ed25519); with one, both through it.
 */
final class JwsSigners {
    private static final SecureRandom RANDOM = new SecureRandom();

    private JwsSigners() {}

    static JWSSigner ecdsa(ECKey key, SignatureProvider signatures) throws JOSEException {
        if (signatures.jca().isEmpty()) {
            return new ECDSASigner(key);
        }
        Provider provider = signatures.jca().get();
        ECDSASigner signer = new ECDSASigner(ownKey(key.toECPrivateKey(), provider));
        signer.getJCAContext().setProvider(provider);
        // Otherwise Nimbus creates a SecureRandom for every signature (3.5 % of its time, profiled).
        signer.getJCAContext().setSecureRandom(RANDOM);
        return signer;
    }

    static JWSSigner ed25519(OctetKeyPair key, SignatureProvider signatures) throws JOSEException {
        return signatures.jca().isEmpty()
                ? new Ed25519Signer(key)
                : new JcaEd25519Signer(key, signatures.jca().get());
    }

    /** The key as the provider's own key object: ACCP signs twice as fast with those (bench/README.md). */
    private static ECPrivateKey ownKey(ECPrivateKey key, Provider provider) throws JOSEException {
        try {
            return (ECPrivateKey) KeyFactory.getInstance("EC", provider).translateKey(key);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new JOSEException("cannot use the EC key with " + provider.getName() + ": " + e.getMessage(), e);
        }
    }
}
