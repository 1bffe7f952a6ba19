package dev.gatehouse.server.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.server.store.TimeOrderedKeys;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;

/** The part of minting both minters share: claims, header, ttl cap and signing. Thread-safe. */
final class JwtSigning {
    private static final int JTI_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TokensConfig tokens;
    private final Clock clock;

    JwtSigning(TokensConfig tokens, Clock clock) {
        this.tokens = tokens;
        this.clock = clock;
    }

    MintedToken sign(MintRequest request, JWSAlgorithm algorithm, String kid, JWSSigner signer) {
        Duration maxTtl = tokens.maxTokenTtl();
        if (request.ttl().compareTo(maxTtl) > 0) {
            throw new IllegalArgumentException("ttl: " + request.ttl() + " (expected: <= " + maxTtl + ")");
        }
        Instant now = clock.instant();
        Instant issuedAt = now.truncatedTo(ChronoUnit.SECONDS);
        Instant expiresAt = issuedAt.plus(request.ttl()).truncatedTo(ChronoUnit.SECONDS);
        String tokenId = newTokenId(now);

        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder();
        request.claims().forEach(claims::claim);
        claims.issuer(tokens.issuer().toString())
                .subject(request.subject())
                .issueTime(Date.from(issuedAt))
                .expirationTime(Date.from(expiresAt))
                .jwtID(tokenId)
                .claim("typ", request.type().claimValue());
        if (!request.audience().isEmpty()) {
            claims.audience(request.audience());
        }
        JWSHeader header = new JWSHeader.Builder(algorithm).keyID(kid).type(JOSEObjectType.JWT).build();
        SignedJWT jwt = new SignedJWT(header, claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign with key " + kid + " (" + algorithm + ")", e);
        }
        return new MintedToken(jwt.serialize(), tokenId, issuedAt, expiresAt, kid);
    }

    /**
     * The minting millisecond ({@link TimeOrderedKeys}: the token's row is keyed by it), then 128
     * random bits (base64url). The randomness is what makes a jti unique; the prefix says no more
     * than the token's own {@code iat}.
     */
    static String newTokenId(Instant now) {
        byte[] bytes = new byte[JTI_BYTES];
        RANDOM.nextBytes(bytes);
        return TimeOrderedKeys.millisecondPrefix(now) + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
