package dev.gatehouse.server.tokens;

import dev.gatehouse.server.testing.MutableClock;
import static dev.gatehouse.server.tokens.TokenFixtures.ISSUER;
import static dev.gatehouse.server.tokens.TokenFixtures.TOKENS;
import static dev.gatehouse.server.tokens.TokenFixtures.keys;
import static dev.gatehouse.server.tokens.TokenFixtures.randomKek;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.store.TestDatabases.Kind;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class SigningTokenMinterTest {
    private static final MintRequest PAT = new MintRequest(TokenType.PAT, "alice", List.of("gateway"),
            Duration.ofMinutes(30), Map.of("org_id", "acme", "capabilities", List.of("llm:chat", "pat:create")));

    @TempDir
    Path tempDir;

    // Real time: the Nimbus processor checks exp against the system clock.
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));

    @ParameterizedTest
    @CsvSource({"SQLITE, ES256", "SQLITE, EdDSA", "POSTGRES, ES256", "POSTGRES, EdDSA"})
    void mintedToken_verifiesAgainstPublishedKeyByKid(Kind kind, SigningAlgorithm algorithm) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            KeyRing ring = KeyRing.open(store.open(), randomKek(), keys(algorithm), TOKENS, clock);
            Instant issuedAt = clock.instant().truncatedTo(ChronoUnit.SECONDS);

            MintedToken minted = SigningTokenMinter.of(ring, TOKENS, clock).mint(PAT);

            SignedJWT jwt = SignedJWT.parse(minted.token());
            String kid = ring.activeSigningKey().getKeyID();
            assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(algorithm.jwsAlgorithm());
            assertThat(jwt.getHeader().getKeyID()).isEqualTo(kid);
            assertThat(jwt.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
            assertThat(jwt.verify(verifier(ring.publicJwkSet().getKeyByKeyId(kid)))).isTrue();

            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            assertThat(claims.getIssuer()).isEqualTo(ISSUER);
            assertThat(claims.getSubject()).isEqualTo("alice");
            assertThat(claims.getAudience()).containsExactly("gateway");
            assertThat(claims.getStringClaim("typ")).isEqualTo("pat");
            assertThat(claims.getIssueTime()).isEqualTo(Date.from(issuedAt));
            assertThat(claims.getExpirationTime()).isEqualTo(Date.from(issuedAt.plus(Duration.ofMinutes(30))));
            assertThat(claims.getJWTID()).isEqualTo(minted.tokenId()).hasSizeGreaterThanOrEqualTo(22);
            assertThat(claims.getStringClaim("org_id")).isEqualTo("acme");
            assertThat(claims.getStringListClaim("capabilities")).containsExactly("llm:chat", "pat:create");
            assertThat(minted).isEqualTo(new MintedToken(minted.token(), claims.getJWTID(), issuedAt,
                    issuedAt.plus(Duration.ofMinutes(30)), kid));
        }
    }

    @ParameterizedTest
    @CsvSource({"SQLITE, ES256", "SQLITE, EdDSA", "POSTGRES, ES256", "POSTGRES, EdDSA"})
    void mintedToken_verifiesWithKeySelectedFromVerificationKeysByHeader(Kind kind, SigningAlgorithm algorithm)
            throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            KeyRing ring = KeyRing.open(store.open(), randomKek(), keys(algorithm), TOKENS, clock);
            SignedJWT jwt = SignedJWT.parse(SigningTokenMinter.of(ring, TOKENS, clock).mint(PAT).token());

            List<JWK> selected = ring.verificationKeys()
                    .get(new JWKSelector(JWKMatcher.forJWSHeader(jwt.getHeader())), null);

            assertThat(selected).singleElement().extracting(JWK::getKeyID).isEqualTo(jwt.getHeader().getKeyID());
            assertThat(jwt.verify(verifier(selected.getFirst()))).isTrue();
        }
    }

    // Nimbus's JWSVerificationKeySelector converts JWKs to JCA keys, which Ed25519 keys are not: ES256 only.
    @ParameterizedTest
    @EnumSource(Kind.class)
    void es256Token_passesNimbusProcessorOverVerificationKeys(Kind kind) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            KeyRing ring = KeyRing.open(store.open(), randomKek(), keys(SigningAlgorithm.ES256), TOKENS, clock);
            DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, ring.verificationKeys()));

            JWTClaimsSet claims = processor.process(SigningTokenMinter.of(ring, TOKENS, clock).mint(PAT).token(), null);

            assertThat(claims.getSubject()).isEqualTo("alice");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void afterRotation_newTokensUseNewKeyOncePropagated_andOldTokensStillVerify(Kind kind) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            KeyRing ring = KeyRing.open(store.open(), randomKek(), keys(SigningAlgorithm.ES256), TOKENS, clock);
            SigningTokenMinter minter = SigningTokenMinter.of(ring, TOKENS, clock);
            MintedToken before = minter.mint(PAT);

            KeyInfo rotated = ring.rotate();
            MintedToken propagating = minter.mint(PAT);
            clock.set(rotated.signsFrom());
            MintedToken after = minter.mint(PAT);

            assertThat(propagating.keyId()).isEqualTo(before.keyId());
            assertThat(after.keyId()).isEqualTo(rotated.kid()).isNotEqualTo(before.keyId());
            for (MintedToken token : List.of(before, propagating, after)) {
                SignedJWT jwt = SignedJWT.parse(token.token());
                assertThat(jwt.getHeader().getKeyID()).isEqualTo(token.keyId());
                assertThat(jwt.verify(verifier(ring.publicJwkSet().getKeyByKeyId(token.keyId())))).isTrue();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void ttlAboveMaximum_isRejected(Kind kind) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            KeyRing ring = KeyRing.open(store.open(), randomKek(), keys(SigningAlgorithm.ES256), TOKENS, clock);
            MintRequest tooLong = new MintRequest(TokenType.SANDBOX, "sbx-1", List.of(), Duration.ofHours(2), Map.of());

            assertThatThrownBy(() -> SigningTokenMinter.of(ring, TOKENS, clock).mint(tooLong))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("ttl: PT2H (expected: <= PT1H)");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void noAudience_omitsAudClaim_andEveryTokenGetsItsOwnJti(Kind kind) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            KeyRing ring = KeyRing.open(store.open(), randomKek(), keys(SigningAlgorithm.ES256), TOKENS, clock);
            SigningTokenMinter minter = SigningTokenMinter.of(ring, TOKENS, clock);
            MintRequest request = new MintRequest(TokenType.SERVICE, "svc", List.of(), Duration.ofMinutes(5), Map.of());

            MintedToken first = minter.mint(request);
            MintedToken second = minter.mint(request);

            assertThat(SignedJWT.parse(first.token()).getJWTClaimsSet().getClaim("aud")).isNull();
            assertThat(first.tokenId()).isNotEqualTo(second.tokenId());
        }
    }

    private static JWSVerifier verifier(JWK key) throws Exception {
        assertThat(key).as("published key").isNotNull();
        assertThat(key.isPrivate()).as("published key is private").isFalse();
        return switch (key) {
            case ECKey ec -> new ECDSAVerifier(ec);
            case OctetKeyPair okp -> new Ed25519Verifier(okp);
            default -> throw new AssertionError("unexpected key type " + key.getKeyType());
        };
    }
}
