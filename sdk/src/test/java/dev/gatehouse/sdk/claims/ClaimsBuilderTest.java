package dev.gatehouse.sdk.claims;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.sdk.verify.RejectionReason;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Claims assembled from values follow exactly the rules of claims read from a JWT. */
class ClaimsBuilderTest {
    static final Instant NOW = Instant.ofEpochSecond(1_767_225_600);

    @Test
    void session_fromValues() throws Exception {
        Claims claims = session(new JWTClaimsSet.Builder().claim("org_id", "acme").build())
                .groups(List.of("dev", "dev", "ops"))
                .capabilities(List.of("pat:create"))
                .audience(List.of("account"))
                .build();

        assertThat(claims.type()).isEqualTo(TokenType.SESSION);
        assertThat(claims.issuer()).isEqualTo("https://sso.test/realms/acme");
        assertThat(claims.organization()).hasValue("acme");
        assertThat(claims.groups()).containsExactly("dev", "ops");
        assertThat(claims.capabilities()).containsExactly("pat:create");
        assertThat(claims.audience()).containsExactly("account");
        assertThat(claims.issuedAt()).isEqualTo(NOW);
    }

    @Test
    void legacyOrgOnly_andKeycloakOrganization_resolve() throws Exception {
        assertThat(session(new JWTClaimsSet.Builder().claim("org", "acme").build()).build().organization())
                .hasValue("acme");
        assertThat(session(new JWTClaimsSet.Builder().claim("organization", List.of("globex")).build()).build()
                .organization()).hasValue("globex");
    }

    @Test
    void conflictingOrganizations_areRefused() {
        assertThat(reasonOf(session(new JWTClaimsSet.Builder().claim("org_id", "acme").claim("org", "globex").build())))
                .isEqualTo(RejectionReason.ORGANIZATION_CONFLICT);
        assertThat(reasonOf(session(new JWTClaimsSet.Builder()
                .claim("org_id", "acme").claim("organization", Map.of("globex", Map.of())).build())))
                .isEqualTo(RejectionReason.ORGANIZATION_CONFLICT);
    }

    @Test
    void malformedOrganization_andMissingRequiredValues_areRefused() {
        assertThat(reasonOf(session(new JWTClaimsSet.Builder().claim("org_id", 42).build())))
                .isEqualTo(RejectionReason.MISSING_CLAIM);
        assertThat(reasonOf(session(new JWTClaimsSet.Builder().build()).tokenId(null)))
                .isEqualTo(RejectionReason.MISSING_CLAIM);
        assertThat(reasonOf(Claims.builder(TokenType.SANDBOX).issuer("i").subject("s").issuedAt(NOW).expiresAt(NOW)))
                .as("sandbox without channels").isEqualTo(RejectionReason.MISSING_CLAIM);
    }

    private static Claims.Builder session(JWTClaimsSet organizationClaims) {
        return Claims.builder(TokenType.SESSION)
                .issuer("https://sso.test/realms/acme")
                .subject("alice")
                .issuedAt(NOW)
                .expiresAt(NOW.plusSeconds(300))
                .tokenId("j-1")
                .organizationClaimsFrom(organizationClaims);
    }

    private static RejectionReason reasonOf(Claims.Builder builder) {
        return assertThatExceptionOfType(ClaimsException.class).isThrownBy(builder::build).actual().reason();
    }
}
