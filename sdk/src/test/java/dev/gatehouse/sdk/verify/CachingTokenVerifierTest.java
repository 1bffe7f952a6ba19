package dev.gatehouse.sdk.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.sdk.claims.Claims;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachingTokenVerifierTest {
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    private final AtomicInteger verifications = new AtomicInteger();
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final RevocationCheck revocation = claims -> claims.tokenId().map(revoked::contains).orElse(false);
    private final MutableClock clock = new MutableClock();

    /** Accepts "good-<jti>" tokens valid for a minute, refuses everything else; counts its work. */
    private final TokenVerifier delegate = token -> {
        verifications.incrementAndGet();
        if (!token.startsWith("good-")) {
            throw new TokenRejectedException(RejectionReason.BAD_SIGNATURE, "forged");
        }
        Claims claims = claims(token.substring(5), NOW.plusSeconds(60));
        if (revocation.isRevoked(claims)) {
            throw GatehouseTokenVerifier.revoked(claims);
        }
        return claims;
    };

    @Test
    void acceptedToken_presentedAgain_isNotVerifiedAgain() throws Exception {
        CachingTokenVerifier verifier = CachingTokenVerifier.of(delegate, revocation, clock, 10);

        Claims first = verifier.verify("good-a");
        Claims second = verifier.verify("good-a");

        assertThat(second).isSameAs(first);
        assertThat(verifications).hasValue(1);
    }

    @Test
    void refusedToken_isNeverRemembered() {
        CachingTokenVerifier verifier = CachingTokenVerifier.of(delegate, revocation, clock, 10);

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> verifier.verify("forged-a")).isInstanceOf(TokenRejectedException.class);
        }

        assertThat(verifications).hasValue(3);
        assertThat(verifier.size()).isZero();
    }

    @Test
    void revokedAfterBeingRemembered_isRefusedOnTheNextUse() throws Exception {
        CachingTokenVerifier verifier = CachingTokenVerifier.of(delegate, revocation, clock, 10);
        verifier.verify("good-a");

        revoked.add("a");

        assertThatThrownBy(() -> verifier.verify("good-a"))
                .isInstanceOfSatisfying(TokenRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectionReason.REVOKED));
        assertThat(verifier.size()).isZero();
    }

    @Test
    void rememberedToken_pastItsExpiry_isVerifiedAgain_andThenRefused() throws Exception {
        CachingTokenVerifier verifier = CachingTokenVerifier.of(delegate, revocation, clock, 10);
        verifier.verify("good-a");
        clock.now = NOW.plusSeconds(60);

        Claims again = verifier.verify("good-a");

        assertThat(verifications).as("an expired entry is not served").hasValue(2);
        assertThat(again.expiresAt()).isEqualTo(NOW.plusSeconds(60));
        assertThat(verifier.size()).as("already expired: not remembered").isZero();
    }

    @Test
    void full_dropsWhatItHolds_andStaysBounded() throws Exception {
        CachingTokenVerifier verifier = CachingTokenVerifier.of(delegate, revocation, clock, 3);

        for (String jti : List.of("a", "b", "c", "d", "e")) {
            verifier.verify("good-" + jti);
        }

        assertThat(verifier.size()).isBetween(1, 3);
    }

    @Test
    void differentTokens_sameClaims_areVerifiedSeparately() throws Exception {
        CachingTokenVerifier verifier = CachingTokenVerifier.of(delegate, revocation, clock, 10);

        verifier.verify("good-a");
        verifier.verify("good-ax");

        assertThat(verifications).hasValue(2);
    }

    private static Claims claims(String jti, Instant expiry) {
        try {
            return Claims.fromJwt(new JWTClaimsSet.Builder()
                    .issuer("https://gatehouse.test").subject("sbx-1").claim("typ", "sandbox")
                    .claim("org", "acme").claim("channels", List.of("qwen")).jwtID(jti)
                    .issueTime(Date.from(NOW)).expirationTime(Date.from(expiry)).build());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static final class MutableClock extends Clock {
        Instant now = NOW;

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
