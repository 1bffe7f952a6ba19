package dev.gatehouse.server.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
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
        Instant issuedAt = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant expiresAt = issuedAt.plus(request.ttl()).truncatedTo(ChronoUnit.SECONDS);
        String tokenId = newTokenId();

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

    private static String newTokenId() {
        byte[] bytes = new byte[JTI_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
