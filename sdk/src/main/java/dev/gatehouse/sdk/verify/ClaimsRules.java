package dev.gatehouse.sdk.verify;

import static dev.gatehouse.sdk.internal.Shown.quote;
import static dev.gatehouse.sdk.internal.Shown.quoteAll;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import dev.gatehouse.sdk.internal.Shown;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.Date;
import java.util.Set;

/**
 * The time-independent and time-dependent checks of the registered claims, run by the Nimbus
 * processor after the signature: {@code iss} exact match, {@code aud} (when configured), {@code exp}
 * and {@code nbf} with a bounded leeway. Immutable and thread-safe.
 */
final class ClaimsRules implements JWTClaimsSetVerifier<SecurityContext> {
    private final String issuer;
    private final Set<String> audiences;
    private final Duration clockSkew;
    private final Clock clock;

    ClaimsRules(String issuer, Set<String> audiences, Duration clockSkew, Clock clock) {
        this.issuer = issuer;
        this.audiences = Set.copyOf(audiences);
        this.clockSkew = clockSkew;
        this.clock = clock;
    }

    @Override
    public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
        String iss = claims.getIssuer();
        if (iss == null) {
            throw new Rejection.OfToken(RejectionReason.MISSING_CLAIM, "iss: missing (expected: " + quote(issuer) + ")");
        }
        if (!issuer.equals(iss)) {
            throw new Rejection.OfToken(RejectionReason.WRONG_ISSUER,
                    "iss: " + quote(iss) + " (expected: " + quote(issuer) + ")");
        }
        if (!audiences.isEmpty() && Collections.disjoint(claims.getAudience(), audiences)) {
            throw new Rejection.OfToken(RejectionReason.WRONG_AUDIENCE,
                    "aud: " + quoteAll(claims.getAudience()) + " (expected one of: " + quoteAll(audiences) + ")");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new Rejection.OfToken(RejectionReason.MISSING_CLAIM, "exp: missing (expected: NumericDate)");
        }
        Instant now = clock.instant();
        if (!now.isBefore(exp.toInstant().plus(clockSkew))) {
            throw new Rejection.OfToken(RejectionReason.EXPIRED, "token expired at " + exp.toInstant()
                    + " (now " + now.truncatedTo(ChronoUnit.SECONDS) + ", leeway " + clockSkew + ")");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(clockSkew).isBefore(nbf.toInstant())) {
            throw new Rejection.OfToken(RejectionReason.NOT_YET_VALID, "token not valid before " + nbf.toInstant()
                    + " (now " + now.truncatedTo(ChronoUnit.SECONDS) + ", leeway " + clockSkew + ")");
        }
    }
}
