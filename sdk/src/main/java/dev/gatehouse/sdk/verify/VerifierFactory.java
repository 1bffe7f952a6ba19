package dev.gatehouse.sdk.verify;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.proc.JWSVerifierFactory;
import java.security.Key;
import java.security.Provider;
import java.security.interfaces.ECPublicKey;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Nimbus's default verifier factory (HMAC, RSA, ECDSA) plus Ed25519, which Nimbus's default
 * factory does not cover. Creating an Ed25519 verifier needs Tink on the class path, or a signature
 * provider offering {@code Ed25519}.
 *
 * <p>With a signature provider (a native one, typically), ES256/ES384/ES512 and EdDSA signatures
 * are checked by that provider wherever it offers the JCA signature the algorithm needs; everything
 * else as without one (the JDK's providers in their configured order, Tink for Ed25519).
 *
 * <p>A verifier is built once per key instance and header algorithm and then reused from an
 * {@link IdentityCache} of {@value #CACHED_VERIFIERS}: Nimbus's verifiers are immutable and
 * thread-safe, and each still checks the header (algorithm, {@code crit}) on every {@code
 * verify}. The keys come from {@link KeySelector}, which hands out one instance per trusted JWK
 * and the configured HS256 secret, so hits are the rule. Thread-safe.
 */
final class VerifierFactory implements JWSVerifierFactory {
    /** Enough for every key of a few overlapping rotations. */
    static final int CACHED_VERIFIERS = 16;

    /** The JCA signature Nimbus uses for each algorithm a signature provider may take over. */
    private static final Map<JWSAlgorithm, String> JCA_SIGNATURES = Map.of(
            JWSAlgorithm.ES256, "SHA256withECDSA",
            JWSAlgorithm.ES384, "SHA384withECDSA",
            JWSAlgorithm.ES512, "SHA512withECDSA",
            JWSAlgorithm.EdDSA, JcaEd25519Verifier.JCA_ALGORITHM,
            JWSAlgorithm.Ed25519, JcaEd25519Verifier.JCA_ALGORITHM);

    private final DefaultJWSVerifierFactory jca = new DefaultJWSVerifierFactory();
    private final Provider signatureProvider;
    private final IdentityCache<Key, KeyVerifier> verifiers = new IdentityCache<>(CACHED_VERIFIERS);

    /** @param signatureProvider checks the signatures it offers (see above); null for none */
    VerifierFactory(Provider signatureProvider) {
        this.signatureProvider = signatureProvider;
    }

    /** Whether {@code provider} is given and checks {@code alg} signatures here. */
    static boolean offers(Provider provider, JWSAlgorithm alg) {
        String signature = JCA_SIGNATURES.get(alg);
        return provider != null && signature != null && provider.getService("Signature", signature) != null;
    }

    @Override
    public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
        JWSAlgorithm alg = header.getAlgorithm();
        KeyVerifier cached = verifiers.get(key);
        if (cached != null && cached.algorithm().equals(alg)) {
            return cached.verifier();
        }
        JWSVerifier created = create(header, key);
        verifiers.put(key, new KeyVerifier(alg, created));
        return created;
    }

    private JWSVerifier create(JWSHeader header, Key key) throws JOSEException {
        boolean provided = offers(signatureProvider, header.getAlgorithm());
        if (key instanceof Ed25519Key ed25519) {
            return provided
                    ? new JcaEd25519Verifier(ed25519.jwk(), signatureProvider)
                    : new Ed25519Verifier(ed25519.jwk());
        }
        if (provided && key instanceof ECPublicKey ec) {
            ECDSAVerifier verifier = new ECDSAVerifier(ec);
            verifier.getJCAContext().setProvider(signatureProvider);
            return verifier;
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

    /** A verifier and the header algorithm it was created for. */
    private record KeyVerifier(JWSAlgorithm algorithm, JWSVerifier verifier) {}
}
