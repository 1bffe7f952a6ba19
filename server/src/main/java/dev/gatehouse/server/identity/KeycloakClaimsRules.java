package dev.gatehouse.server.identity;

import static dev.gatehouse.server.http.Shown.quote;
import static dev.gatehouse.server.http.Shown.quoteAll;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import dev.gatehouse.sdk.verify.RejectionReason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * The claim checks of a Keycloak access token, run by the Nimbus processor after the signature:
 * {@code typ} exactly {@code Bearer} (ID, refresh and logout tokens are refused), {@code iss}
 * exactly the configured issuer, the audience in {@code aud} or {@code azp} when one is
 * configured, {@code exp} and {@code nbf} with a bounded leeway. Immutable and thread-safe.
 */
final class KeycloakClaimsRules implements JWTClaimsSetVerifier<SecurityContext> {
    static final String ACCESS_TOKEN_TYPE = "Bearer";

    private final String issuer;
    private final Optional<String> audience;
    private final Duration clockSkew;
    private final Clock clock;

    KeycloakClaimsRules(String issuer, Optional<String> audience, Duration clockSkew, Clock clock) {
        this.issuer = issuer;
        this.audience = audience;
        this.clockSkew = clockSkew;
        this.clock = clock;
    }

    @Override
    public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
        checkType(claims.getClaim("typ"));
        String iss = claims.getIssuer();
        if (!issuer.equals(iss)) {
            throw new KeycloakRejection(iss == null ? RejectionReason.MISSING_CLAIM : RejectionReason.WRONG_ISSUER,
                    "iss: " + quote(iss) + " (expected: " + quote(issuer) + ")");
        }
        if (audience.isPresent()) {
            checkAudience(claims, audience.get());
        }
        checkTimes(claims);
    }

    /** Throws unless {@code typ} is {@code Bearer}; also used before any cryptography. */
    static void checkType(Object typ) throws KeycloakRejection {
        if (!ACCESS_TOKEN_TYPE.equals(typ)) {
            throw new KeycloakRejection(RejectionReason.WRONG_TYPE, "typ: " + quote(typ)
                    + " (expected: \"Bearer\", a Keycloak access token; ID and refresh tokens are refused)");
        }
    }

    private static void checkAudience(JWTClaimsSet claims, String expected) throws KeycloakRejection {
        List<String> aud = claims.getAudience();
        Object azp = claims.getClaim("azp");
        if (aud.contains(expected) || expected.equals(azp)) {
            return;
        }
        throw new KeycloakRejection(RejectionReason.WRONG_AUDIENCE, "aud: " + quoteAll(aud) + ", azp: " + quote(azp)
                + " (expected: " + quote(expected) + " in aud or as azp)");
    }

    private void checkTimes(JWTClaimsSet claims) throws KeycloakRejection {
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new KeycloakRejection(RejectionReason.MISSING_CLAIM, "exp: missing (expected: NumericDate)");
        }
        Instant now = clock.instant();
        if (!now.isBefore(exp.toInstant().plus(clockSkew))) {
            throw new KeycloakRejection(RejectionReason.EXPIRED, "token expired at " + exp.toInstant()
                    + " (now " + now.truncatedTo(ChronoUnit.SECONDS) + ", leeway " + clockSkew + ")");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(clockSkew).isBefore(nbf.toInstant())) {
            throw new KeycloakRejection(RejectionReason.NOT_YET_VALID, "token not valid before " + nbf.toInstant()
                    + " (now " + now.truncatedTo(ChronoUnit.SECONDS) + ", leeway " + clockSkew + ")");
        }
    }
}
