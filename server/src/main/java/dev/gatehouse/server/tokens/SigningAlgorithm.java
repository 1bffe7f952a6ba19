package dev.gatehouse.server.tokens;

import com.nimbusds.jose.JWSAlgorithm;
import java.util.Optional;

/** Asymmetric algorithms Gatehouse can sign with; ES256 is the default (see bench/README.md). */
public enum SigningAlgorithm {
    ES256(JWSAlgorithm.ES256),
    EdDSA(JWSAlgorithm.EdDSA);

    private final JWSAlgorithm jwsAlgorithm;

    SigningAlgorithm(JWSAlgorithm jwsAlgorithm) {
        this.jwsAlgorithm = jwsAlgorithm;
    }

    public JWSAlgorithm jwsAlgorithm() {
        return jwsAlgorithm;
    }

    public static Optional<SigningAlgorithm> fromName(String name) {
        for (SigningAlgorithm algorithm : values()) {
            if (algorithm.name().equals(name)) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }
}
