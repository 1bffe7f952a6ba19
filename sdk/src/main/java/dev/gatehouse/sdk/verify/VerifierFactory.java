package dev.gatehouse.sdk.verify;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.proc.JWSVerifierFactory;
import java.security.Key;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Nimbus's default verifier factory (HMAC, RSA, ECDSA) plus Ed25519, which Nimbus's default
 * factory does not cover. Creating an Ed25519 verifier needs Tink on the class path. Thread-safe.
 */
final class VerifierFactory implements JWSVerifierFactory {
    private final DefaultJWSVerifierFactory jca = new DefaultJWSVerifierFactory();

    @Override
    public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
        if (key instanceof Ed25519Key ed25519) {
            return new Ed25519Verifier(ed25519.jwk());
        }
        return jca.createJWSVerifier(header, key);
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>(jca.supportedJWSAlgorithms());
        algorithms.add(JWSAlgorithm.EdDSA);
        algorithms.add(JWSAlgorithm.Ed25519);
        return algorithms;
    }

    @Override
    public JCAContext getJCAContext() {
        return jca.getJCAContext();
    }
}
