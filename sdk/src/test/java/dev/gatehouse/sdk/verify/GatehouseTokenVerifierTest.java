package dev.gatehouse.sdk.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.TokenType;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import javax.crypto.KeyGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GatehouseTokenVerifierTest {
    private static final String ISSUER = "https://gatehouse.example";
    private static final Instant NOW = Instant.parse("2026-01-01T00:05:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static ECKey ecKey;
    private static ECKey rotatedEcKey;
    private static OctetKeyPair edKey;
    private static byte[] hs256Secret;
    private static JWKSource<SecurityContext> trustedKeys;

    @BeforeAll
    static void generateKeys() throws Exception {
        ecKey = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        rotatedEcKey = new ECKeyGenerator(Curve.P_256).keyID("ec-2").generate();
        edKey = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed-1").generate();
        hs256Secret = randomBytes(32);
        trustedKeys = new ImmutableJWKSet<>(new JWKSet(List.<JWK>of(
                ecKey.toPublicJWK(), rotatedEcKey.toPublicJWK(), edKey.toPublicJWK())));
    }

    private static GatehouseTokenVerifier.Builder verifier() {
        return GatehouseTokenVerifier.builder().issuer(ISSUER).keySource(trustedKeys).clock(CLOCK)
                .acceptedTypes(EnumSet.allOf(TokenType.class)).anyAudience();
    }

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject("user-1")
                .claim("typ", "session")
                .claim("org_id", "acme")
                .issueTime(Date.from(NOW.minusSeconds(60)))
                .expirationTime(Date.from(NOW.plusSeconds(600)))
                .jwtID("jti-1");
    }

    private static JWTClaimsSet claims(UnaryOperator<JWTClaimsSet.Builder> change) {
        return change.apply(claims()).build();
    }

    /** A sandbox token: the only type the shared HS256 secret may vouch for. */
    private static JWTClaimsSet sandboxClaims() {
        return claims(c -> c.claim("typ", "sandbox").claim("channels", List.of("qwen")));
    }

    private static String es256(JWTClaimsSet claims) throws Exception {
        return sign(header(JWSAlgorithm.ES256, ecKey.getKeyID()), claims, new ECDSASigner(ecKey));
    }

    private static JWSHeader.Builder header(JWSAlgorithm alg, String kid) {
        return new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT);
    }

    private static String sign(JWSHeader.Builder header, JWTClaimsSet claims, JWSSigner signer) throws Exception {
        SignedJWT jwt = new SignedJWT(header.build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static TokenRejectedException assertRejected(TokenVerifier verifier, String token, RejectionReason reason) {
        try {
            Claims accepted = verifier.verify(token);
            return fail("expected %s but accepted %s", reason, accepted);
        } catch (TokenRejectedException e) {
            assertThat(e.reason()).as("reason (message: %s)", e.getMessage()).isEqualTo(reason);
            assertNoTokenIn(e.getMessage(), token);
            return e;
        }
    }

    private static void assertNoTokenIn(String message, String token) {
        assertThat(message).isNotBlank();
        if (!token.isEmpty()) {
            assertThat(message).doesNotContain(token);
        }
        String[] parts = token.split("\\.");
        for (String part : parts) {
            if (part.length() > 16) {
                assertThat(message).doesNotContain(part);
            }
        }
    }

    @Nested
    class Accepts {
        @Test
        void es256Token_returnsItsClaims() throws Exception {
            Claims claims = verifier().build().verify(es256(claims(c -> c
                    .audience(List.of("gateway"))
                    .claim("groups", List.of("admins"))
                    .claim("capabilities", List.of("pat:create")))));

            assertThat(claims.type()).isEqualTo(TokenType.SESSION);
            assertThat(claims.subject()).isEqualTo("user-1");
            assertThat(claims.issuer()).isEqualTo(ISSUER);
            assertThat(claims.organization()).contains("acme");
            assertThat(claims.audience()).containsExactly("gateway");
            assertThat(claims.expiresAt()).isEqualTo(NOW.plusSeconds(600));
            assertThat(claims.hasGroup("admins")).isTrue();
            assertThat(claims.hasCapability("pat:create")).isTrue();
        }

        @Test
        void eddsaToken_returnsItsClaims() throws Exception {
            String token = sign(header(JWSAlgorithm.EdDSA, edKey.getKeyID()), claims().build(), new Ed25519Signer(edKey));

            assertThat(verifier().build().verify(token).subject()).isEqualTo("user-1");
        }

        @Test
        void tokenSignedByRotatedKey_isFoundByItsKid() throws Exception {
            String token = sign(header(JWSAlgorithm.ES256, rotatedEcKey.getKeyID()), claims().build(),
                    new ECDSASigner(rotatedEcKey));

            assertThat(verifier().build().verify(token).subject()).isEqualTo("user-1");
        }

        @Test
        void tokenWithoutHeaderTyp_isAccepted() throws Exception {
            String token = sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ecKey.getKeyID()), claims().build(),
                    new ECDSASigner(ecKey));

            assertThat(verifier().build().verify(token).subject()).isEqualTo("user-1");
        }

        @Test
        void hs256WithKidHs256_whenSecretConfigured() throws Exception {
            String token = sign(header(JWSAlgorithm.HS256, "hs256"), sandboxClaims(), new MACSigner(hs256Secret));

            assertThat(verifier().hs256Secret(hs256Secret).build().verify(token).subject()).isEqualTo("user-1");
        }

        @Test
        void hs256WithoutKid_legacyNewApiSandboxToken_whenSecretConfigured() throws Exception {
            JWTClaimsSet legacy = new JWTClaimsSet.Builder()
                    .issuer(ISSUER).subject("sbx-42").claim("org", "acme").claim("user", "alice")
                    .claim("channels", List.of("qwen")).issueTime(Date.from(NOW))
                    .expirationTime(Date.from(NOW.plus(Duration.ofDays(7)))).claim("typ", "sandbox").build();
            String token = sign(new JWSHeader.Builder(JWSAlgorithm.HS256), legacy, new MACSigner(hs256Secret));

            Claims claims = verifier().hs256Secret(hs256Secret).build().verify(token);

            assertThat(claims.type()).isEqualTo(TokenType.SANDBOX);
            assertThat(claims.organization()).contains("acme");
            assertThat(claims.channels()).containsExactly("qwen");
        }

        @Test
        void hs256Only_needsNoKeySource() throws Exception {
            TokenVerifier verifier = GatehouseTokenVerifier.builder().issuer(ISSUER).clock(CLOCK)
                    .acceptedTypes(EnumSet.allOf(TokenType.class)).anyAudience()
                    .hs256Secret(hs256Secret).algorithms(Set.of(JWSAlgorithm.HS256)).build();
            String token = sign(header(JWSAlgorithm.HS256, "hs256"), sandboxClaims(), new MACSigner(hs256Secret));

            assertThat(verifier.verify(token).subject()).isEqualTo("user-1");
        }

        @Test
        void secretArray_isCopied() throws Exception {
            byte[] secret = hs256Secret.clone();
            TokenVerifier verifier = verifier().hs256Secret(secret).build();
            secret[0] ^= 1;
            String token = sign(header(JWSAlgorithm.HS256, "hs256"), sandboxClaims(), new MACSigner(hs256Secret));

            assertThat(verifier.verify(token).subject()).isEqualTo("user-1");
        }

        @Test
        void audienceAmongSeveral_matches() throws Exception {
            TokenVerifier verifier = verifier().audience("gateway", "newapi").build();

            assertThat(verifier.verify(es256(claims(c -> c.audience(List.of("portal", "newapi"))))).audience())
                    .containsExactly("portal", "newapi");
        }

        @Test
        void acceptedTypes_restrictsToThoseTypes() throws Exception {
            TokenVerifier verifier = verifier().acceptedTypes(EnumSet.of(TokenType.PAT)).build();

            assertThat(verifier.verify(es256(claims(c -> c.claim("typ", "pat")))).type()).isEqualTo(TokenType.PAT);
            TokenRejectedException e = assertRejected(verifier, es256(claims().build()), RejectionReason.WRONG_TYPE);
            assertThat(e.getMessage()).isEqualTo("typ: \"session\" (expected one of: [pat])");
        }

        @Test
        void concurrentVerification_fromManyThreads() throws Exception {
            GatehouseTokenVerifier verifier = verifier().build();
            String good = es256(claims().build());
            String expired = es256(claims(c -> c.expirationTime(Date.from(NOW.minusSeconds(120)))));
            List<Callable<Boolean>> tasks = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                boolean even = i % 2 == 0;
                tasks.add(() -> {
                    try {
                        return verifier.verify(even ? good : expired) != null && even;
                    } catch (TokenRejectedException e) {
                        return !even && e.reason() == RejectionReason.EXPIRED;
                    }
                });
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                for (Future<Boolean> result : pool.invokeAll(tasks)) {
                    assertThat(result.get()).isTrue();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Nested
    class RefusesSignature {
        @Test
        void forgedBySameKidOtherKey_isBadSignature() throws Exception {
            ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID(ecKey.getKeyID()).generate();
            String token = sign(header(JWSAlgorithm.ES256, ecKey.getKeyID()), claims().build(), new ECDSASigner(attacker));

            TokenRejectedException e = assertRejected(verifier().build(), token, RejectionReason.BAD_SIGNATURE);
            assertThat(e.getMessage()).isEqualTo("signature does not verify with the ES256 key \"ec-1\"");
        }

        @Test
        void tamperedPayload_isBadSignature() throws Exception {
            String[] parts = es256(claims().build()).split("\\.");
            String payload = Base64URL.encode(claims(c -> c.subject("admin")).toString()).toString();

            assertRejected(verifier().build(), parts[0] + "." + payload + "." + parts[2], RejectionReason.BAD_SIGNATURE);
        }

        @Test
        void emptySignature_isBadSignature() throws Exception {
            String[] parts = es256(claims().build()).split("\\.");

            assertRejected(verifier().build(), parts[0] + "." + parts[1] + ".", RejectionReason.BAD_SIGNATURE);
        }

        @ParameterizedTest
        @ValueSource(strings = {"session", "pat", "service"})
        void hs256_forAnyTypeButSandbox_isRefused_soTheSharedSecretCannotForgeUsers(String type) throws Exception {
            String forged = sign(header(JWSAlgorithm.HS256, "hs256"), claims(c -> c.claim("typ", type)),
                    new MACSigner(hs256Secret));

            TokenRejectedException e = assertRejected(verifier().hs256Secret(hs256Secret).build(), forged,
                    RejectionReason.UNSUPPORTED_ALGORITHM);
            assertThat(e.getMessage()).isEqualTo(
                    "alg: \"HS256\" with typ: \"" + type + "\" (expected: HS256 only for sandbox tokens)");
        }

        @Test
        void hs256WithWrongSecret_isBadSignature() throws Exception {
            String token = sign(header(JWSAlgorithm.HS256, "hs256"), sandboxClaims(), new MACSigner(randomBytes(32)));

            assertRejected(verifier().hs256Secret(hs256Secret).build(), token, RejectionReason.BAD_SIGNATURE);
        }

        @Test
        void revocationCheck_notConsultedForForgedToken() throws Exception {
            AtomicInteger consulted = new AtomicInteger();
            TokenVerifier verifier = verifier().revocationCheck(c -> consulted.incrementAndGet() < 0).build();
            ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID(ecKey.getKeyID()).generate();

            assertRejected(verifier, sign(header(JWSAlgorithm.ES256, ecKey.getKeyID()), claims().build(),
                    new ECDSASigner(attacker)), RejectionReason.BAD_SIGNATURE);
            assertThat(consulted).hasValue(0);
        }
    }

    @Nested
    class RefusesAlgorithm {
        @Test
        void algNone_isUnsupportedAlgorithm() {
            String token = new PlainJWT(claims().build()).serialize();

            TokenRejectedException e = assertRejected(verifier().build(), token, RejectionReason.UNSUPPORTED_ALGORITHM);
            assertThat(e.getMessage()).isEqualTo("alg: \"none\" (expected one of: [ES256, EdDSA])");
        }

        @Test
        void algNoneWithSignatureAppended_isUnsupportedAlgorithm() throws Exception {
            String[] signed = es256(claims().build()).split("\\.");
            String none = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}").toString();

            assertRejected(verifier().build(), none + "." + signed[1] + "." + signed[2],
                    RejectionReason.UNSUPPORTED_ALGORITHM);
        }

        @Test
        void algNoneUppercase_isUnsupportedAlgorithm() throws Exception {
            String[] signed = es256(claims().build()).split("\\.");
            String none = Base64URL.encode("{\"alg\":\"NONE\",\"kid\":\"ec-1\"}").toString();

            assertRejected(verifier().build(), none + "." + signed[1] + ".", RejectionReason.UNSUPPORTED_ALGORITHM);
        }

        @Test
        void hs256_whenNoSecretConfigured_isUnsupportedAlgorithm() throws Exception {
            String token = sign(header(JWSAlgorithm.HS256, "hs256"), claims().build(), new MACSigner(hs256Secret));

            TokenRejectedException e = assertRejected(verifier().build(), token, RejectionReason.UNSUPPORTED_ALGORITHM);
            assertThat(e.getMessage()).isEqualTo("alg: \"HS256\" (expected one of: [ES256, EdDSA])");
        }

        @Test
        void keyConfusion_hs256MacedWithEcPublicKey_withoutSecret_isUnsupportedAlgorithm() throws Exception {
            String token = sign(header(JWSAlgorithm.HS256, ecKey.getKeyID()), claims().build(),
                    new MACSigner(ecKey.toECPublicKey().getEncoded()));

            assertRejected(verifier().build(), token, RejectionReason.UNSUPPORTED_ALGORITHM);
        }

        @Test
        void keyConfusion_hs256MacedWithEcPublicKey_withSecret_isBadSignature() throws Exception {
            String token = sign(header(JWSAlgorithm.HS256, "hs256"), sandboxClaims(),
                    new MACSigner(ecKey.toECPublicKey().getEncoded()));

            assertRejected(verifier().hs256Secret(hs256Secret).build(), token, RejectionReason.BAD_SIGNATURE);
        }

        @Test
        void keyConfusion_hs256WithEcKid_withSecret_isUnknownKey() throws Exception {
            String token = sign(header(JWSAlgorithm.HS256, ecKey.getKeyID()), sandboxClaims(),
                    new MACSigner(ecKey.toECPublicKey().getEncoded()));

            TokenRejectedException e = assertRejected(verifier().hs256Secret(hs256Secret).build(), token,
                    RejectionReason.UNKNOWN_KEY);
            assertThat(e.getMessage()).isEqualTo("kid: \"ec-1\" (expected: absent or \"hs256\" for HS256)");
        }

        @Test
        void keyConfusion_octKeyPublishedInKeySource_isNeverUsed() throws Exception {
            byte[] published = ecKey.toECPublicKey().getEncoded();
            JWKSource<SecurityContext> withOct = new ImmutableJWKSet<>(new JWKSet(List.<JWK>of(
                    ecKey.toPublicJWK(), new OctetSequenceKey.Builder(published).keyID("hs256").build())));
            String token = sign(header(JWSAlgorithm.HS256, "hs256"), sandboxClaims(), new MACSigner(published));

            assertRejected(verifier().keySource(withOct).build(), token, RejectionReason.UNSUPPORTED_ALGORITHM);
            assertRejected(verifier().keySource(withOct).hs256Secret(hs256Secret).build(), token,
                    RejectionReason.BAD_SIGNATURE);
        }

        @Test
        void rs256_notInAllowList_isUnsupportedAlgorithm() throws Exception {
            RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
            String token = sign(header(JWSAlgorithm.RS256, "rsa-1"), claims().build(), new RSASSASigner(rsa));

            assertRejected(verifier().build(), token, RejectionReason.UNSUPPORTED_ALGORITHM);
        }

        @Test
        void es256_whenOnlyEdDsaAllowed_isUnsupportedAlgorithm() throws Exception {
            TokenVerifier verifier = verifier().algorithms(Set.of(JWSAlgorithm.EdDSA)).build();

            assertRejected(verifier, es256(claims().build()), RejectionReason.UNSUPPORTED_ALGORITHM);
        }
    }

    @Nested
    class RefusesKey {
        @Test
        void unknownKid_isUnknownKey() throws Exception {
            ECKey other = new ECKeyGenerator(Curve.P_256).keyID("gone").generate();
            String token = sign(header(JWSAlgorithm.ES256, "gone"), claims().build(), new ECDSASigner(other));

            TokenRejectedException e = assertRejected(verifier().build(), token, RejectionReason.UNKNOWN_KEY);
            assertThat(e.getMessage()).isEqualTo("kid: \"gone\" (expected: the id of a trusted ES256 key)");
        }

        @Test
        void missingKid_es256_isUnknownKey() throws Exception {
            String token = sign(new JWSHeader.Builder(JWSAlgorithm.ES256), claims().build(), new ECDSASigner(ecKey));

            TokenRejectedException e = assertRejected(verifier().build(), token, RejectionReason.UNKNOWN_KEY);
            assertThat(e.getMessage()).isEqualTo("kid: missing (expected: required for ES256)");
        }

        @Test
        void missingKid_eddsa_isUnknownKey() throws Exception {
            String token = sign(new JWSHeader.Builder(JWSAlgorithm.EdDSA), claims().build(), new Ed25519Signer(edKey));

            assertRejected(verifier().build(), token, RejectionReason.UNKNOWN_KEY);
        }

        @Test
        void kidOfKeyOfOtherAlgorithm_isUnknownKey() throws Exception {
            String token = sign(header(JWSAlgorithm.EdDSA, ecKey.getKeyID()), claims().build(), new Ed25519Signer(edKey));

            assertRejected(verifier().build(), token, RejectionReason.UNKNOWN_KEY);
        }

        @Test
        void keySourceFailure_isKeysUnavailable() throws Exception {
            TokenVerifier verifier = verifier().keySource((selector, context) -> {
                throw new KeySourceException("Couldn't retrieve JWK set from URL: connection refused");
            }).build();

            TokenRejectedException e = assertRejected(verifier, es256(claims().build()), RejectionReason.KEYS_UNAVAILABLE);
            assertThat(e.getMessage()).contains("connection refused");
        }
    }

    @Nested
    class RefusesClaims {
        @Test
        void expiredBeyondLeeway_isExpired() throws Exception {
            String token = es256(claims(c -> c.expirationTime(Date.from(Instant.parse("2026-01-01T00:04:29Z")))));

            TokenRejectedException e = assertRejected(verifier().build(), token, RejectionReason.EXPIRED);
            assertThat(e.getMessage())
                    .isEqualTo("token expired at 2026-01-01T00:04:29Z (now 2026-01-01T00:05:00Z, leeway PT30S)");
        }

        @Test
        void expiredExactlyAtLeeway_isExpired() throws Exception {
            assertRejected(verifier().build(), es256(claims(c -> c.expirationTime(Date.from(NOW.minusSeconds(30))))),
                    RejectionReason.EXPIRED);
        }

        @Test
        void expiredWithinLeeway_isAccepted() throws Exception {
            assertThat(verifier().build().verify(es256(claims(c -> c.expirationTime(Date.from(NOW.minusSeconds(29))))))
                    .subject()).isEqualTo("user-1");
        }

        @Test
        void zeroLeeway_expiresAtExp() throws Exception {
            TokenVerifier verifier = verifier().clockSkew(Duration.ZERO).build();

            assertRejected(verifier, es256(claims(c -> c.expirationTime(Date.from(NOW)))), RejectionReason.EXPIRED);
            assertThat(verifier.verify(es256(claims(c -> c.expirationTime(Date.from(NOW.plusSeconds(1))))))).isNotNull();
        }

        @Test
        void notYetValidBeyondLeeway_isNotYetValid() throws Exception {
            String token = es256(claims(c -> c.notBeforeTime(Date.from(NOW.plusSeconds(31)))));

            TokenRejectedException e = assertRejected(verifier().build(), token, RejectionReason.NOT_YET_VALID);
            assertThat(e.getMessage())
                    .isEqualTo("token not valid before 2026-01-01T00:05:31Z (now 2026-01-01T00:05:00Z, leeway PT30S)");
        }

        @Test
        void notYetValidWithinLeeway_isAccepted() throws Exception {
            assertThat(verifier().build().verify(es256(claims(c -> c.notBeforeTime(Date.from(NOW.plusSeconds(30)))))))
                    .isNotNull();
        }

        @Test
        void wrongTyp_isWrongType() throws Exception {
            TokenVerifier verifier = verifier().acceptedTypes(EnumSet.of(TokenType.SESSION, TokenType.PAT)).build();

            TokenRejectedException e = assertRejected(verifier, es256(claims(c -> c
                    .claim("typ", "sandbox").claim("channels", List.of("qwen")))), RejectionReason.WRONG_TYPE);
            assertThat(e.getMessage()).isEqualTo("typ: \"sandbox\" (expected one of: [session, pat])");
        }

        @Test
        void keycloakBearerTyp_isWrongType() throws Exception {
            assertRejected(verifier().build(), es256(claims(c -> c.claim("typ", "Bearer"))), RejectionReason.WRONG_TYPE);
        }

        @Test
        void missingTyp_isWrongType() throws Exception {
            TokenRejectedException e = assertRejected(verifier().build(), es256(claims(c -> c.claim("typ", null))),
                    RejectionReason.WRONG_TYPE);
            assertThat(e.getMessage()).isEqualTo("typ: missing (expected one of: session, pat, sandbox, service)");
        }

        @Test
        void wrongTyp_refusedBeforeSignature() throws Exception {
            ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID(ecKey.getKeyID()).generate();
            String token = sign(header(JWSAlgorithm.ES256, ecKey.getKeyID()),
                    claims(c -> c.claim("typ", "Bearer")), new ECDSASigner(attacker));

            assertRejected(verifier().build(), token, RejectionReason.WRONG_TYPE);
        }

        @Test
        void wrongHeaderTyp_isWrongType() throws Exception {
            String token = sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ecKey.getKeyID())
                    .type(new JOSEObjectType("at+jwt")), claims().build(), new ECDSASigner(ecKey));

            TokenRejectedException e = assertRejected(verifier().build(), token, RejectionReason.WRONG_TYPE);
            assertThat(e.getMessage()).isEqualTo("header typ: \"at+jwt\" (expected: \"JWT\" or absent)");
        }

        @Test
        void wrongAudience_isWrongAudience() throws Exception {
            TokenRejectedException e = assertRejected(verifier().audience("gateway").build(),
                    es256(claims(c -> c.audience(List.of("portal")))), RejectionReason.WRONG_AUDIENCE);
            assertThat(e.getMessage()).isEqualTo("aud: [\"portal\"] (expected one of: [\"gateway\"])");
        }

        @Test
        void missingAudience_whenConfigured_isWrongAudience() throws Exception {
            assertRejected(verifier().audience("gateway").build(), es256(claims().build()), RejectionReason.WRONG_AUDIENCE);
        }

        @Test
        void wrongIssuer_isWrongIssuer() throws Exception {
            TokenRejectedException e = assertRejected(verifier().build(),
                    es256(claims(c -> c.issuer("https://evil.example"))), RejectionReason.WRONG_ISSUER);
            assertThat(e.getMessage()).isEqualTo("iss: \"https://evil.example\" (expected: \"https://gatehouse.example\")");
        }

        @Test
        void issuerWithTrailingSlash_isWrongIssuer() throws Exception {
            assertRejected(verifier().build(), es256(claims(c -> c.issuer(ISSUER + "/"))), RejectionReason.WRONG_ISSUER);
        }

        @Test
        void missingIssuer_isMissingClaim() throws Exception {
            assertRejected(verifier().build(), es256(claims(c -> c.issuer(null))), RejectionReason.MISSING_CLAIM);
        }

        @Test
        void missingExpiry_isMissingClaim() throws Exception {
            TokenRejectedException e = assertRejected(verifier().build(), es256(claims(c -> c.expirationTime(null))),
                    RejectionReason.MISSING_CLAIM);
            assertThat(e.getMessage()).isEqualTo("exp: missing (expected: NumericDate)");
        }

        @Test
        void missingSubject_isMissingClaim() throws Exception {
            assertRejected(verifier().build(), es256(claims(c -> c.subject(null))), RejectionReason.MISSING_CLAIM);
        }

        @Test
        void groupsNotStringArray_isMissingClaim() throws Exception {
            TokenRejectedException e = assertRejected(verifier().build(), es256(claims(c -> c.claim("groups", 5))),
                    RejectionReason.MISSING_CLAIM);
            assertThat(e.getMessage()).isEqualTo("groups: number 5 (expected: string array)");
        }

        @Test
        void organizationConflict_isOrganizationConflict() throws Exception {
            assertRejected(verifier().build(), es256(claims(c -> c.claim("org", "globex"))),
                    RejectionReason.ORGANIZATION_CONFLICT);
        }

        @Test
        void revokedByHook_isRevoked() throws Exception {
            TokenVerifier verifier = verifier().revocationCheck(c -> c.tokenId().orElseThrow().equals("jti-1")).build();

            TokenRejectedException e = assertRejected(verifier, es256(claims().build()), RejectionReason.REVOKED);
            assertThat(e.getMessage()).isEqualTo("token jti \"jti-1\" is revoked");
            assertThat(verifier.verify(es256(claims(c -> c.jwtID("jti-2")))).tokenId()).contains("jti-2");
        }

        @Test
        void revokedByTheKeyThatSignedIt_isRevoked_theHookSeesTheKid() throws Exception {
            TokenVerifier verifier = verifier().revocationCheck(c -> c.keyId().orElseThrow().equals(ecKey.getKeyID()))
                    .build();

            assertRejected(verifier, es256(claims().build()), RejectionReason.REVOKED);
            assertThat(verifier().build().verify(es256(claims().build())).keyId()).contains(ecKey.getKeyID());
        }
    }

    @Nested
    class RefusesMalformed {
        @Test
        void oversized_isTooLarge() throws Exception {
            String token = es256(claims(c -> c.claim("pad", "x".repeat(9000))));

            TokenRejectedException e = assertRejected(verifier().build(), token, RejectionReason.TOO_LARGE);
            assertThat(e.getMessage()).isEqualTo("token: " + token.length() + " characters (expected: <= 8192)");
        }

        @Test
        void validTokenLongerThanConfiguredMax_isTooLarge() throws Exception {
            assertRejected(verifier().maxTokenLength(100).build(), es256(claims().build()), RejectionReason.TOO_LARGE);
        }

        @Test
        void hugeGarbage_isTooLargeNotMalformed() {
            assertRejected(verifier().build(), "a".repeat(1 << 20), RejectionReason.TOO_LARGE);
        }

        @Test
        void nonJwtStrings_areMalformed() {
            GatehouseTokenVerifier verifier = verifier().build();
            for (String token : List.of("", "hello", "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789", "a.b",
                    "a.b.c.d", "!!!.@@@.###", "e30.e30.e30", "eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln",
                    "bm90IGpzb24.e30.c2ln")) {
                assertRejected(verifier, token, RejectionReason.MALFORMED);
            }
        }

        @Test
        void payloadNotJson_isMalformed() throws Exception {
            String header = Base64URL.encode("{\"alg\":\"ES256\",\"kid\":\"ec-1\"}").toString();
            String payload = Base64URL.encode("[1,2,3]").toString();

            TokenRejectedException e = assertRejected(verifier().build(), header + "." + payload + ".c2lnbmF0dXJl",
                    RejectionReason.MALFORMED);
            assertThat(e.getMessage()).startsWith("payload: not a JWT claims set");
        }

        @Test
        void registeredClaimOfWrongType_isMalformed() throws Exception {
            String header = Base64URL.encode("{\"alg\":\"ES256\",\"kid\":\"ec-1\"}").toString();
            String payload = Base64URL.encode("{\"iss\":\"" + ISSUER + "\",\"sub\":\"s\",\"typ\":\"pat\",\"exp\":\"soon\"}")
                    .toString();

            TokenRejectedException e = assertRejected(verifier().build(), header + "." + payload + ".c2lnbmF0dXJl",
                    RejectionReason.MALFORMED);
            assertThat(e.getMessage()).contains("exp");
        }

        @Test
        void jwe_isMalformed() throws Exception {
            KeyGenerator aes = KeyGenerator.getInstance("AES");
            aes.init(128);
            EncryptedJWT jwe = new EncryptedJWT(new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A128GCM), claims().build());
            jwe.encrypt(new DirectEncrypter(aes.generateKey()));

            TokenRejectedException e = assertRejected(verifier().build(), jwe.serialize(), RejectionReason.MALFORMED);
            assertThat(e.getMessage()).isEqualTo("encrypted token (JWE) (expected: a signed JWT in compact JWS form)");
        }

        @Test
        void messages_neverContainTheToken_evenWhenEchoingClaims() throws Exception {
            String token = es256(claims(c -> c.issuer("x".repeat(300))));

            TokenRejectedException e = assertRejected(verifier().build(), token, RejectionReason.WRONG_ISSUER);
            assertThat(e.getMessage()).doesNotContain("x".repeat(65));
        }
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
