package dev.gatehouse.server.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.nimbusds.jose.util.Base64URL;
import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.ClaimsException;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.RejectionReason;
import dev.gatehouse.sdk.verify.TokenRejectedException;
import dev.gatehouse.sdk.verify.TokenVerifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Routing by the unverified issuer; the verifiers behind are stubs that record what they saw. */
class CallerVerifierTest {
    static final String GATEHOUSE = "http://gatehouse.test";
    static final String ACME = "https://sso.test/realms/acme";
    static final String GLOBEX = "https://sso.test/realms/globex";

    final List<String> calls = new ArrayList<>();

    @Test
    void routesByIssuer_toGatehouseOrTheRealmsVerifier() throws Exception {
        CallerVerifier verifier = verifier(true);

        assertThat(verifier.verify(token(GATEHOUSE)).issuer()).isEqualTo(GATEHOUSE);
        assertThat(verifier.verify(token(ACME)).issuer()).isEqualTo(ACME);
        assertThat(verifier.verify(token(GLOBEX)).issuer()).isEqualTo(GLOBEX);

        assertThat(calls).containsExactly("gatehouse", ACME, GLOBEX);
    }

    @Test
    void unconfiguredIssuer_wrongIssuer_withATruncatedIssuer_andNoVerifierCalled() {
        String longIssuer = "https://evil.test/" + "x".repeat(2000);

        TokenRejectedException e = assertThatExceptionOfType(TokenRejectedException.class)
                .isThrownBy(() -> verifier(true).verify(token(longIssuer)))
                .actual();

        assertThat(e.reason()).isEqualTo(RejectionReason.WRONG_ISSUER);
        assertThat(e.getMessage()).contains("issuer not configured").hasSizeLessThan(400);
        assertThat(calls).isEmpty();
    }

    @Test
    void unreadableToken_goesToTheGatehouseVerifier_forAPreciseReason() throws Exception {
        verifier(true).verify("not-a-jwt");

        assertThat(calls).containsExactly("gatehouse");
    }

    @Test
    void localSessions_refusedWhenLocalIdentityIsOff_otherGatehouseTokensPass() throws Exception {
        CallerVerifier verifier = verifier(false);

        TokenRejectedException e = assertThatExceptionOfType(TokenRejectedException.class)
                .isThrownBy(() -> verifier.verify(token(GATEHOUSE)))
                .actual();
        assertThat(e.reason()).isEqualTo(RejectionReason.WRONG_TYPE);
        assertThat(e.getMessage()).contains("identity.local: false");
        assertThat(verifier.verify(token(ACME)).type()).isEqualTo(TokenType.SESSION);
    }

    @Test
    void gatehouseIssuerAmongKeycloakIssuers_isRefusedAtAssembly() {
        assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() ->
                CallerVerifier.of(GATEHOUSE, stub("gatehouse"), true, Map.of(GATEHOUSE, stub("x"))));
    }

    private CallerVerifier verifier(boolean local) {
        return CallerVerifier.of(GATEHOUSE, stub("gatehouse"), local, Map.of(ACME, stub(ACME), GLOBEX, stub(GLOBEX)));
    }

    private TokenVerifier stub(String name) {
        return token -> {
            calls.add(name);
            try {
                return Claims.builder(TokenType.SESSION)
                        .issuer(name.equals("gatehouse") ? GATEHOUSE : name)
                        .subject("alice")
                        .issuedAt(Instant.now())
                        .expiresAt(Instant.now().plusSeconds(60))
                        .tokenId("j")
                        .build();
            } catch (ClaimsException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** A compact JWS shape with this issuer; the stubs do not check signatures. */
    private static String token(String issuer) {
        return Base64URL.encode("{\"alg\":\"RS256\",\"kid\":\"k\"}") + "."
                + Base64URL.encode("{\"iss\":\"" + issuer + "\",\"typ\":\"Bearer\"}") + ".c2ln";
    }
}
