package dev.gatehouse.sdk.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.sdk.claims.TokenType;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The per-key caches behind {@link GatehouseTokenVerifier} ({@link IdentityCache} of converted
 * keys and of verifiers): they save work, never trust. Which keys verify is decided by the key
 * source on every token, so rotation, removal and replacement of a key take effect at once.
 */
class VerificationCachesTest {
    private static final String ISSUER = "https://gatehouse.example";
    private static final Instant NOW = Instant.parse("2026-01-01T00:05:00Z");

    private final AtomicReference<JWKSet> published = new AtomicReference<>(new JWKSet());
    private final AtomicInteger lookups = new AtomicInteger();
    private final JWKSource<SecurityContext> keySource = (selector, context) -> {
        lookups.incrementAndGet();
        return selector.select(published.get());
    };
    private final GatehouseTokenVerifier verifier = GatehouseTokenVerifier.builder()
            .issuer(ISSUER)
            .keySource(keySource)
            .acceptedTypes(EnumSet.allOf(TokenType.class))
            .anyAudience()
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .build();

    @Test
    void identityCache_hitsTheSameInstanceOnly_andDropsTheOldestWhenFull() throws Exception {
        IdentityCache<JWK, String> cache = new IdentityCache<>(2);
        ECKey first = new ECKeyGenerator(Curve.P_256).keyID("a").generate().toPublicJWK();
        JWK equalCopy = JWK.parse(first.toJSONString());
        ECKey second = new ECKeyGenerator(Curve.P_256).keyID("b").generate().toPublicJWK();
        ECKey third = new ECKeyGenerator(Curve.P_256).keyID("c").generate().toPublicJWK();

        cache.put(first, "first");

        assertThat(equalCopy).isEqualTo(first);
        assertThat(cache.get(first)).isEqualTo("first");
        assertThat(cache.get(equalCopy)).isNull();
        cache.put(second, "second");
        cache.put(third, "third");
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get(first)).isNull();
        assertThat(cache.get(second)).isEqualTo("second");
        assertThat(cache.get(third)).isEqualTo("third");
        assertThatThrownBy(() -> new IdentityCache<>(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity: 0 (expected: > 0)");
    }

    @Test
    void rotatedInKey_verifiesAtOnce_andRemovedKeyIsRefusedAlthoughItWasCached() throws Exception {
        ECKey old = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        ECKey rotated = new ECKeyGenerator(Curve.P_256).keyID("ec-2").generate();
        String oldToken = sign(old, JWSAlgorithm.ES256, new ECDSASigner(old));
        String rotatedToken = sign(rotated, JWSAlgorithm.ES256, new ECDSASigner(rotated));
        publish(old);
        assertThat(verifier.verify(oldToken).subject()).isEqualTo("user-1");
        assertThat(verifier.verify(oldToken).subject()).isEqualTo("user-1");

        publish(old, rotated);
        assertThat(verifier.verify(rotatedToken).subject()).isEqualTo("user-1");
        publish(rotated);

        assertRejected(oldToken, RejectionReason.UNKNOWN_KEY);
        assertThat(verifier.verify(rotatedToken).subject()).isEqualTo("user-1");
    }

    @Test
    void keyReplacedUnderTheSameKid_tokensOfTheOldKeyAreRefused() throws Exception {
        ECKey original = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        ECKey replacement = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        String originalToken = sign(original, JWSAlgorithm.ES256, new ECDSASigner(original));
        publish(original);
        assertThat(verifier.verify(originalToken).subject()).isEqualTo("user-1");

        publish(replacement);

        assertRejected(originalToken, RejectionReason.BAD_SIGNATURE);
        assertThat(verifier.verify(sign(replacement, JWSAlgorithm.ES256, new ECDSASigner(replacement))).subject())
                .isEqualTo("user-1");
    }

    @Test
    void cachedKey_stillRefusesATamperedToken_andLooksTheKeyUpEveryTime() throws Exception {
        OctetKeyPair ed = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed-1").generate();
        String token = sign(ed, JWSAlgorithm.EdDSA, new Ed25519Signer(ed));
        publish(ed);
        verifier.verify(token);
        int before = lookups.get();

        String[] parts = token.split("\\.");
        String otherPayload = SignedJWT.parse(sign(ed, JWSAlgorithm.EdDSA, new Ed25519Signer(ed), "mallory"))
                .getParsedParts()[1].toString();

        assertRejected(parts[0] + "." + otherPayload + "." + parts[2], RejectionReason.BAD_SIGNATURE);
        assertThat(verifier.verify(token).subject()).isEqualTo("user-1");
        assertThat(lookups.get() - before).isEqualTo(2);
    }

    @Test
    void manyThreads_verifyThroughRotations_withoutMixingKeys() throws Exception {
        List<ECKey> keys = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < VerifierFactory.CACHED_VERIFIERS + 4; i++) {
            ECKey key = new ECKeyGenerator(Curve.P_256).keyID("ec-" + i).generate();
            keys.add(key);
            tokens.add(sign(key, JWSAlgorithm.ES256, new ECDSASigner(key)));
        }
        publish(keys.toArray(JWK[]::new));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (String token : tokens) {
                    results.add(pool.submit(() -> verifier.verify(token).subject()));
                }
            }
            for (Future<String> result : results) {
                assertThat(result.get()).isEqualTo("user-1");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void publish(JWK... keys) {
        List<JWK> publicKeys = new ArrayList<>();
        for (JWK key : keys) {
            publicKeys.add(key.toPublicJWK());
        }
        published.set(new JWKSet(publicKeys));
    }

    private void assertRejected(String token, RejectionReason reason) {
        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOfSatisfying(TokenRejectedException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    private static String sign(JWK key, JWSAlgorithm alg, JWSSigner signer) throws Exception {
        return sign(key, alg, signer, "user-1");
    }

    private static String sign(JWK key, JWSAlgorithm alg, JWSSigner signer, String subject) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(subject)
                .claim("typ", "session")
                .claim("org_id", "acme")
                .issueTime(Date.from(NOW.minusSeconds(60)))
                .expirationTime(Date.from(NOW.plusSeconds(600)))
                .jwtID("jti-" + subject)
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(alg).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }
}
