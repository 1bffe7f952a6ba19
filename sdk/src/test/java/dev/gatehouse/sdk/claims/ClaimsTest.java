package dev.gatehouse.sdk.claims;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.sdk.verify.RejectionReason;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ClaimsTest {
    private static final String BASE = """
            "iss": "https://gatehouse.example", "sub": "user-1", "iat": 1767225600, "exp": 1767229200, \
            "jti": "jti-1\"""";

    @Test
    void fullSessionToken_readsEveryClaim() throws Exception {
        Claims claims = claims("""
                "typ": "session", "aud": ["gateway", "portal"], "org_id": "acme", "user": "alice",
                "groups": ["admins", "devs", "admins"], "capabilities": ["pat:create", "sandbox:start"]""");

        assertThat(claims.type()).isEqualTo(TokenType.SESSION);
        assertThat(claims.issuer()).isEqualTo("https://gatehouse.example");
        assertThat(claims.subject()).isEqualTo("user-1");
        assertThat(claims.audience()).containsExactly("gateway", "portal");
        assertThat(claims.issuedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(claims.expiresAt()).isEqualTo(Instant.parse("2026-01-01T01:00:00Z"));
        assertThat(claims.tokenId()).contains("jti-1");
        assertThat(claims.organization()).contains("acme");
        assertThat(claims.user()).contains("alice");
        assertThat(claims.groups()).containsExactly("admins", "devs");
        assertThat(claims.capabilities()).containsExactly("pat:create", "sandbox:start");
        assertThat(claims.channels()).isEmpty();
        assertThat(claims.hasCapability("pat:create")).isTrue();
        assertThat(claims.hasCapability("pat")).isFalse();
        assertThat(claims.hasGroup("devs")).isTrue();
        assertThat(claims.hasGroup("Devs")).isFalse();
    }

    @Test
    void optionalClaimsAbsent_areEmpty() throws Exception {
        Claims claims = claims("\"typ\": \"service\"");

        assertThat(claims.audience()).isEmpty();
        assertThat(claims.organization()).isEmpty();
        assertThat(claims.organizations()).isEmpty();
        assertThat(claims.user()).isEmpty();
        assertThat(claims.groups()).isEmpty();
        assertThat(claims.capabilities()).isEmpty();
        assertThat(claims.hasCapability("anything")).isFalse();
    }

    @Test
    void audienceAsSingleString_isOneElementList() throws Exception {
        assertThat(claims("\"typ\": \"pat\", \"aud\": \"newapi\"").audience()).containsExactly("newapi");
    }

    @Test
    void collections_areImmutable() throws Exception {
        Claims claims = claims("\"typ\": \"session\", \"groups\": [\"a\"], \"aud\": [\"x\"]");

        assertThatThrownBy(() -> claims.groups().add("b")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> claims.audience().add("y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void legacyNewApiSandboxToken_withoutJti_isAccepted() throws Exception {
        Claims claims = Claims.fromJwt(JWTClaimsSet.parse("""
                {"iss": "https://gatehouse.example", "sub": "sbx-42", "org": "acme", "user": "alice",
                 "channels": ["qwen", "openai"], "iat": 1767225600, "exp": 1767830400, "typ": "sandbox"}"""));

        assertThat(claims.type()).isEqualTo(TokenType.SANDBOX);
        assertThat(claims.tokenId()).isEmpty();
        assertThat(claims.organization()).contains("acme");
        assertThat(claims.user()).contains("alice");
        assertThat(claims.channels()).containsExactly("qwen", "openai");
    }

    @Nested
    class Organization {
        @Test
        void orgId_isTheOrganization() throws Exception {
            Claims claims = claims("\"typ\": \"pat\", \"org_id\": \"acme\"");

            assertThat(claims.organization()).contains("acme");
            assertThat(claims.organizations()).containsExactly("acme");
        }

        @Test
        void legacyOrg_isTheOrganization() throws Exception {
            assertThat(claims("\"typ\": \"pat\", \"org\": \"acme\"").organization()).contains("acme");
        }

        @Test
        void orgIdAndLegacyOrgAgreeing_isAccepted() throws Exception {
            assertThat(claims("\"typ\": \"pat\", \"org_id\": \"acme\", \"org\": \"acme\"").organization())
                    .contains("acme");
        }

        @Test
        void orgIdAndLegacyOrgDisagreeing_isConflict() {
            assertRefused("\"typ\": \"pat\", \"org_id\": \"acme\", \"org\": \"globex\"",
                    RejectionReason.ORGANIZATION_CONFLICT, "org_id: \"acme\" and legacy org: \"globex\" disagree");
        }

        @Test
        void keycloakArrayWithOneEntry_isTheOrganization() throws Exception {
            Claims claims = claims("\"typ\": \"session\", \"organization\": [\"acme\"]");

            assertThat(claims.organization()).contains("acme");
            assertThat(claims.organizations()).containsExactly("acme");
        }

        @Test
        void keycloakMapWithOneEntry_isTheOrganization() throws Exception {
            Claims claims = claims("\"typ\": \"session\", \"organization\": {\"acme\": {\"id\": \"6f1c-42\"}}");

            assertThat(claims.organization()).contains("acme");
            assertThat(claims.organizations()).containsExactly("acme");
        }

        @Test
        void keycloakArrayWithSeveralEntries_isAmbiguous_organizationsListsThem() throws Exception {
            Claims claims = claims("\"typ\": \"session\", \"organization\": [\"acme\", \"globex\"]");

            assertThat(claims.organization()).isEmpty();
            assertThat(claims.organizations()).containsExactly("acme", "globex");
        }

        @Test
        void keycloakMapWithSeveralEntries_isAmbiguous_organizationsListsThem() throws Exception {
            Claims claims = claims(
                    "\"typ\": \"session\", \"organization\": {\"acme\": {\"id\": \"1\"}, \"globex\": {\"id\": \"2\"}}");

            assertThat(claims.organization()).isEmpty();
            assertThat(claims.organizations()).containsExactly("acme", "globex");
        }

        @Test
        void orgIdAmongKeycloakOrganizations_isTheOrganization() throws Exception {
            Claims claims = claims(
                    "\"typ\": \"session\", \"org_id\": \"globex\", \"organization\": [\"acme\", \"globex\"]");

            assertThat(claims.organization()).contains("globex");
            assertThat(claims.organizations()).containsExactly("acme", "globex");
        }

        @Test
        void orgIdNotAmongKeycloakArray_isConflict() {
            assertRefused("\"typ\": \"session\", \"org_id\": \"acme\", \"organization\": [\"globex\"]",
                    RejectionReason.ORGANIZATION_CONFLICT, "org_id: \"acme\" is not among organization [\"globex\"]");
        }

        @Test
        void legacyOrgNotAmongKeycloakMap_isConflict() {
            assertRefused("\"typ\": \"session\", \"org\": \"acme\", \"organization\": {\"globex\": {}}",
                    RejectionReason.ORGANIZATION_CONFLICT, "org: \"acme\" is not among organization [\"globex\"]");
        }

        @Test
        void orgIdWithEmptyKeycloakClaim_isConflict() {
            assertRefused("\"typ\": \"session\", \"org_id\": \"acme\", \"organization\": []",
                    RejectionReason.ORGANIZATION_CONFLICT, "org_id: \"acme\" is not among organization []");
        }

        @Test
        void orgIdNumber_isMalformed() {
            assertRefused("\"typ\": \"pat\", \"org_id\": 42",
                    RejectionReason.MISSING_CLAIM, "org_id: number 42 (expected: non-empty string)");
        }

        @Test
        void orgIdEmpty_isMalformed() {
            assertRefused("\"typ\": \"pat\", \"org_id\": \"\"",
                    RejectionReason.MISSING_CLAIM, "org_id: \"\" (expected: non-empty string)");
        }

        @Test
        void legacyOrgArray_isMalformed() {
            assertRefused("\"typ\": \"pat\", \"org\": [\"acme\"]",
                    RejectionReason.MISSING_CLAIM, "org: array (expected: non-empty string)");
        }

        @Test
        void keycloakClaimAsString_isMalformed() {
            assertRefused("\"typ\": \"session\", \"organization\": \"acme\"",
                    RejectionReason.MISSING_CLAIM, "organization: \"acme\" (expected: string array or object)");
        }

        @Test
        void keycloakArrayWithNumber_isMalformed() {
            assertRefused("\"typ\": \"session\", \"organization\": [\"acme\", 5]",
                    RejectionReason.MISSING_CLAIM, "organization[1]: number 5 (expected: non-empty string)");
        }
    }

    @Nested
    class Type {
        @Test
        void everyTokenType_isRead() throws Exception {
            for (TokenType type : TokenType.values()) {
                String extra = type == TokenType.SANDBOX ? ", \"channels\": [\"qwen\"]" : "";
                assertThat(claims("\"typ\": \"" + type.claimValue() + "\"" + extra).type()).isEqualTo(type);
            }
        }

        @Test
        void missingTyp_isWrongType() {
            assertRefused("\"user\": \"alice\"", RejectionReason.WRONG_TYPE,
                    "typ: missing (expected one of: session, pat, sandbox, service)");
        }

        @Test
        void keycloakBearerTyp_isWrongType() {
            assertRefused("\"typ\": \"Bearer\"", RejectionReason.WRONG_TYPE,
                    "typ: \"Bearer\" (expected one of: session, pat, sandbox, service)");
        }

        @Test
        void typIsCaseSensitive() {
            assertRefused("\"typ\": \"PAT\"", RejectionReason.WRONG_TYPE,
                    "typ: \"PAT\" (expected one of: session, pat, sandbox, service)");
        }

        @Test
        void numericTyp_isWrongType() {
            assertRefused("\"typ\": 1", RejectionReason.WRONG_TYPE,
                    "typ: number 1 (expected one of: session, pat, sandbox, service)");
        }
    }

    @Nested
    class RequiredAndTyped {
        @Test
        void missingSubject_isMissingClaim() throws Exception {
            assertRefused(JWTClaimsSet.parse("""
                    {"iss": "i", "typ": "pat", "iat": 1767225600, "exp": 1767229200, "jti": "j"}"""),
                    RejectionReason.MISSING_CLAIM, "sub: missing (expected: non-empty string)");
        }

        @Test
        void missingIssuer_isMissingClaim() throws Exception {
            assertRefused(JWTClaimsSet.parse("""
                    {"sub": "s", "typ": "pat", "iat": 1767225600, "exp": 1767229200, "jti": "j"}"""),
                    RejectionReason.MISSING_CLAIM, "iss: missing (expected: non-empty string)");
        }

        @Test
        void missingExpiry_isMissingClaim() throws Exception {
            assertRefused(JWTClaimsSet.parse("""
                    {"iss": "i", "sub": "s", "typ": "pat", "iat": 1767225600, "jti": "j"}"""),
                    RejectionReason.MISSING_CLAIM, "exp: missing (expected: NumericDate, seconds since the epoch)");
        }

        @Test
        void missingIssuedAt_isMissingClaim() throws Exception {
            assertRefused(JWTClaimsSet.parse("""
                    {"iss": "i", "sub": "s", "typ": "pat", "exp": 1767229200, "jti": "j"}"""),
                    RejectionReason.MISSING_CLAIM, "iat: missing (expected: NumericDate, seconds since the epoch)");
        }

        @Test
        void expiryAsString_fromBuiltClaimsSet_isMissingClaim() {
            JWTClaimsSet set = new JWTClaimsSet.Builder().issuer("i").subject("s").claim("typ", "service")
                    .claim("iat", 1767225600L).claim("exp", "tomorrow").jwtID("j").build();

            assertRefused(set, RejectionReason.MISSING_CLAIM,
                    "exp: \"tomorrow\" (expected: NumericDate, seconds since the epoch)");
        }

        @Test
        void missingJti_onPat_isMissingClaim() throws Exception {
            assertRefused(JWTClaimsSet.parse("""
                    {"iss": "i", "sub": "s", "typ": "pat", "iat": 1767225600, "exp": 1767229200}"""),
                    RejectionReason.MISSING_CLAIM, "jti: missing (expected: non-empty string; required for pat tokens)");
        }

        @Test
        void sandboxWithoutChannels_isMissingClaim() {
            assertRefused("\"typ\": \"sandbox\"", RejectionReason.MISSING_CLAIM,
                    "channels: missing (expected: at least one channel; required for sandbox tokens)");
        }

        @Test
        void sandboxWithEmptyChannels_isMissingClaim() {
            assertRefused("\"typ\": \"sandbox\", \"channels\": []", RejectionReason.MISSING_CLAIM,
                    "channels: [] (expected: at least one channel; required for sandbox tokens)");
        }

        @Test
        void emptyAllowedModels_isMissingClaim_neverNoRestriction() {
            assertRefused("\"typ\": \"sandbox\", \"channels\": [\"qwen\"], \"allowed_models\": []",
                    RejectionReason.MISSING_CLAIM,
                    "allowed_models: [] (expected: at least one model, or no claim for no restriction)");
        }

        @Test
        void groupsAsString_isMalformed() {
            assertRefused("\"typ\": \"session\", \"groups\": \"admins\"", RejectionReason.MISSING_CLAIM,
                    "groups: \"admins\" (expected: string array)");
        }

        @Test
        void groupsWithNonString_isMalformed() {
            assertRefused("\"typ\": \"session\", \"groups\": [\"admins\", true]", RejectionReason.MISSING_CLAIM,
                    "groups[1]: boolean true (expected: non-empty string)");
        }

        @Test
        void capabilitiesAsObject_isMalformed() {
            assertRefused("\"typ\": \"session\", \"capabilities\": {\"a\": 1}", RejectionReason.MISSING_CLAIM,
                    "capabilities: object (expected: string array)");
        }

        @Test
        void channelsWithEmptyName_isMalformed() {
            assertRefused("\"typ\": \"sandbox\", \"channels\": [\"qwen\", \"\"]", RejectionReason.MISSING_CLAIM,
                    "channels[1]: \"\" (expected: non-empty string)");
        }

        @Test
        void userAsNumber_isMalformed() {
            assertRefused("\"typ\": \"service\", \"user\": 7", RejectionReason.MISSING_CLAIM,
                    "user: number 7 (expected: non-empty string)");
        }

        @Test
        void longValuesInMessages_areTruncated() {
            String longOrg = "x".repeat(500);
            ClaimsException e = refusal(
                    "\"typ\": \"pat\", \"org_id\": \"" + longOrg + "\", \"org\": \"y\"");

            assertThat(e.getMessage()).doesNotContain(longOrg).contains("x".repeat(64) + "...");
        }
    }

    private static Claims claims(String json) throws Exception {
        return Claims.fromJwt(parse(json));
    }

    private static JWTClaimsSet parse(String json) {
        try {
            return JWTClaimsSet.parse("{" + BASE + ", " + json + "}");
        } catch (ParseException e) {
            throw new AssertionError(e);
        }
    }

    private static ClaimsException refusal(String json) {
        return refusal(parse(json));
    }

    private static ClaimsException refusal(JWTClaimsSet set) {
        try {
            Claims.fromJwt(set);
        } catch (ClaimsException e) {
            return e;
        }
        throw new AssertionError("accepted: " + set);
    }

    private static void assertRefused(String json, RejectionReason reason, String message) {
        assertRefused(parse(json), reason, message);
    }

    private static void assertRefused(JWTClaimsSet set, RejectionReason reason, String message) {
        ClaimsException e = refusal(set);
        assertThat(List.of(e.reason(), e.getMessage())).containsExactly(reason, message);
    }
}
