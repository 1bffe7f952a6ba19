package dev.gatehouse.sdk.verify;

import static dev.gatehouse.sdk.internal.Shown.quote;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import dev.gatehouse.sdk.internal.Shown;
import java.security.Key;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.crypto.SecretKey;

/**
 * Selects the verification key of a JWS: refuses an algorithm outside the allow-list, answers
 * HS256 with the configured secret and nothing else, and looks asymmetric keys up by {@code kid}
 * (required) in the trusted key source. A key source that refuses to refetch because of its rate
 * limit has just been refetched, so the kid is reported unknown, not the keys unavailable: random
 * kids must not turn into outages.
 *
 * <p>Converting a JWK to a JCA key validates it (for EC: the point is on the curve) and is done
 * once per JWK instance: the result is kept in an {@link IdentityCache} of {@value #CACHED_KEYS}
 * keys, so a key source that returns the same instances until it reloads (the Gatehouse key ring,
 * Nimbus's caching JWK sources) converts each key once. Which keys are trusted is still decided by
 * the key source on every token. Thread-safe if the key source is.
 */
final class KeySelector implements JWSKeySelector<SecurityContext> {
    /** Enough for every key of a few overlapping rotations. */
    static final int CACHED_KEYS = 16;

    private final Set<JWSAlgorithm> algorithms;
    private final SecretKey hs256Key;
    private final JWKSource<SecurityContext> keySource;
    private final IdentityCache<JWK, Key> converted = new IdentityCache<>(CACHED_KEYS);

    /**
     * @param hs256Key the only key HS256 tokens verify with; null when HS256 is not allowed
     * @param keySource trusted public keys; null when only HS256 is allowed
     */
    KeySelector(Set<JWSAlgorithm> algorithms, SecretKey hs256Key, JWKSource<SecurityContext> keySource) {
        this.algorithms = algorithms;
        this.hs256Key = hs256Key;
        this.keySource = keySource;
    }

    @Override
    public List<Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
        JWSAlgorithm alg = header.getAlgorithm();
        if (!algorithms.contains(alg)) {
            throw new Rejection.OfKey(RejectionReason.UNSUPPORTED_ALGORITHM,
                    "alg: " + quote(alg) + " (expected one of: " + algorithms + ")");
        }
        String kid = header.getKeyID();
        if (JWSAlgorithm.HS256.equals(alg)) {
            if (kid != null && !GatehouseTokenVerifier.HS256_KEY_ID.equals(kid)) {
                throw new Rejection.OfKey(RejectionReason.UNKNOWN_KEY, "kid: " + quote(kid)
                        + " (expected: absent or \"" + GatehouseTokenVerifier.HS256_KEY_ID + "\" for HS256)");
            }
            return List.of(hs256Key);
        }
        if (kid == null) {
            throw new Rejection.OfKey(RejectionReason.UNKNOWN_KEY, "kid: missing (expected: required for " + alg + ")");
        }
        List<JWK> matches;
        try {
            matches = keySource.get(new JWKSelector(matcher(alg, kid)), context);
        } catch (RateLimitReachedException e) {
            throw new Rejection.OfKey(RejectionReason.UNKNOWN_KEY, "kid: " + quote(kid)
                    + " (expected: the id of a trusted " + alg + " key; key set refetched too recently to look again)");
        }
        if (matches.isEmpty()) {
            throw new Rejection.OfKey(RejectionReason.UNKNOWN_KEY,
                    "kid: " + quote(kid) + " (expected: the id of a trusted " + alg + " key)");
        }
        List<Key> keys = new ArrayList<>(matches.size());
        for (JWK jwk : matches) {
            keys.add(publicKey(jwk));
        }
        return keys;
    }

    private static JWKMatcher matcher(JWSAlgorithm alg, String kid) {
        JWKMatcher.Builder matcher = new JWKMatcher.Builder()
                .keyType(KeyType.forAlgorithm(alg))
                .keyID(kid)
                .keyUses(KeyUse.SIGNATURE, null)
                .algorithms(alg, null);
        if (JWSAlgorithm.Family.EC.contains(alg)) {
            matcher.curves(Curve.forJWSAlgorithm(alg));
        } else if (JWSAlgorithm.Family.ED.contains(alg)) {
            matcher.curve(Curve.Ed25519);
        }
        return matcher.build();
    }

    private Key publicKey(JWK jwk) throws KeySourceException {
        Key cached = converted.get(jwk);
        if (cached != null) {
            return cached;
        }
        Key key = convert(jwk);
        converted.put(jwk, key);
        return key;
    }

    private static Key convert(JWK jwk) throws KeySourceException {
        try {
            return switch (jwk) {
                case ECKey ec -> ec.toECPublicKey();
                case RSAKey rsa -> rsa.toRSAPublicKey();
                case OctetKeyPair okp -> new Ed25519Key(okp.toPublicJWK());
                default -> throw new KeySourceException("trusted key " + quote(jwk.getKeyID())
                        + " has unsupported type " + jwk.getKeyType());
            };
        } catch (JOSEException e) {
            throw new KeySourceException("trusted key " + quote(jwk.getKeyID()) + " is invalid: " + e.getMessage(), e);
        }
    }
}
