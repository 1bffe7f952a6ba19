package dev.gatehouse.server.tokens;

import dev.gatehouse.server.testing.MutableClock;
import static dev.gatehouse.server.tokens.TokenFixtures.ISSUER;
import static dev.gatehouse.server.tokens.TokenFixtures.TOKENS;
import static dev.gatehouse.server.tokens.TokenFixtures.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.secrets.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Hs256TokenMinterTest {
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00.750Z");
    private static final MintRequest SANDBOX = new MintRequest(TokenType.SANDBOX, "sbx-1", List.of(),
            Duration.ofMinutes(30), Map.of("org", "acme", "user", "alice", "channels", List.of("qwen")));

    private final MutableClock clock = new MutableClock(NOW);

    @Test
    void mintedToken_verifiesWithTheSharedSecret_only() throws Exception {
        byte[] secret = randomBytes(32);

        MintedToken minted = Hs256TokenMinter.of(Secret.ofBytes(secret), TOKENS, clock).mint(SANDBOX);

        SignedJWT jwt = SignedJWT.parse(minted.token());
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo("hs256");
        assertThat(jwt.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
        assertThat(jwt.verify(new MACVerifier(secret))).isTrue();
        assertThat(jwt.verify(new MACVerifier(randomBytes(32)))).isFalse();

        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        Instant issuedAt = Instant.parse("2026-11-22T10:00:00Z");
        assertThat(claims.getIssuer()).isEqualTo(ISSUER);
        assertThat(claims.getSubject()).isEqualTo("sbx-1");
        assertThat(claims.getStringClaim("typ")).isEqualTo("sandbox");
        assertThat(claims.getStringListClaim("channels")).containsExactly("qwen");
        assertThat(claims.getIssueTime()).isEqualTo(Date.from(issuedAt));
        assertThat(claims.getExpirationTime()).isEqualTo(Date.from(issuedAt.plus(Duration.ofMinutes(30))));
        assertThat(minted).isEqualTo(new MintedToken(minted.token(), claims.getJWTID(), issuedAt,
                issuedAt.plus(Duration.ofMinutes(30)), "hs256"));
    }

    @Test
    void shortSecret_isRejected() {
        assertThatThrownBy(() -> Hs256TokenMinter.of(Secret.ofBytes(randomBytes(31)), TOKENS, clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keys.hs256Secret: 31 bytes (expected: >= 32 bytes)");
    }

    @Test
    void ttlAboveMaximum_isRejected() {
        Hs256TokenMinter minter = Hs256TokenMinter.of(Secret.ofBytes(randomBytes(32)), TOKENS, clock);
        MintRequest tooLong = new MintRequest(TokenType.SANDBOX, "sbx-1", List.of(), Duration.ofDays(7), Map.of());

        assertThatThrownBy(() -> minter.mint(tooLong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ttl: PT168H (expected: <= PT1H)");
    }
}
