package dev.gatehouse.server.identity;

import static dev.gatehouse.server.identity.FakeKeycloak.newKey;
import static dev.gatehouse.server.identity.FakeKeycloak.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.RejectionReason;
import dev.gatehouse.sdk.verify.TokenRejectedException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Keycloak access tokens against a real HTTP server speaking OIDC discovery and JWKS. */
class KeycloakVerifierTest {
    static RSAKey k1;
    static RSAKey k2;

    FakeKeycloak keycloak;

    @BeforeAll
    static void keys() {
        k1 = newKey("k1");
        k2 = newKey("k2");
    }

    @BeforeEach
    void start() {
        keycloak = FakeKeycloak.start("acme");
        keycloak.publish(k1);
    }

    @AfterEach
    void stop() {
        keycloak.close();
    }

    @Test
    void accessToken_mapsToASession_rolesBecomeCapabilities() throws Exception {
        KeycloakVerifier verifier = builder()
                .roleCapabilities(Map.of(
                        "gatehouse-user", Set.of("pat:create"),
                        "gatehouse/admin", Set.of("audit:read"),
                        "other/admin", Set.of("never")))
                .build();
        String token = sign(k1, claims(b -> b
                .claim("org_id", "acme")
                .claim("groups", List.of("dev", "ops"))
                .claim("realm_access", Map.of("roles", List.of("gatehouse-user", "offline_access")))
                .claim("resource_access", Map.of("gatehouse", Map.of("roles", List.of("admin"))))));

        Claims claims = verifier.verify(token);

        assertThat(claims.type()).isEqualTo(TokenType.SESSION);
        assertThat(claims.issuer()).isEqualTo(keycloak.issuer());
        assertThat(claims.organization()).hasValue("acme");
        assertThat(claims.groups()).containsExactly("dev", "ops");
        assertThat(claims.capabilities()).containsExactly("audit:read", "pat:create");
        assertThat(claims.tokenId()).isPresent();
    }

    @Test
    void discoveryAndJwks_areFetchedOnce_thenCached() throws Exception {
        KeycloakVerifier verifier = builder().build();
        assertThat(keycloak.discoveryRequests()).as("lazy: nothing fetched before first use").isZero();

        verifier.verify(sign(k1, claims(b -> b.claim("org_id", "acme"))));
        verifier.verify(sign(k1, claims(b -> b.claim("org_id", "acme"))));

        assertThat(keycloak.discoveryRequests()).isEqualTo(1);
        assertThat(keycloak.jwksRequests()).isEqualTo(1);
    }

    @Test
    void unknownKid_triggersOneRefetch_andTheRotatedKeyVerifies() throws Exception {
        KeycloakVerifier verifier = builder().build();
        verifier.verify(sign(k1, claims(b -> b.claim("org_id", "acme"))));
        keycloak.publish(k1, k2);

        Claims claims = verifier.verify(sign(k2, claims(b -> b.claim("org_id", "acme"))));

        assertThat(claims.organization()).hasValue("acme");
        assertThat(keycloak.jwksRequests()).isEqualTo(2);
    }

    @Test
    void unknownKids_refetchIsRateLimited() throws Exception {
        KeycloakVerifier verifier = builder().jwksRefreshMinInterval(Duration.ofSeconds(30)).build();
        verifier.verify(sign(k1, claims(b -> b.claim("org_id", "acme"))));

        for (String kid : List.of("random-1", "random-2", "random-3", "random-4")) {
            assertRejected(verifier, sign(newKeyWithKid(kid), claims(b -> b.claim("org_id", "acme"))),
                    RejectionReason.UNKNOWN_KEY);
        }

        assertThat(keycloak.jwksRequests()).as("first fetch + one refetch per interval").isEqualTo(2);
        assertThat(verifier.verify(sign(k1, claims(b -> b.claim("org_id", "acme")))).subject()).isNotBlank();
        assertThat(keycloak.jwksRequests()).isEqualTo(2);
    }

    @Test
    void keycloakDown_afterFirstFetch_stillVerifiesFromCache() throws Exception {
        KeycloakVerifier verifier = builder()
                .jwksRefreshMinInterval(Duration.ofMillis(100))
                .cacheTtl(Duration.ofMillis(500))
                .build();
        verifier.verify(sign(k1, claims(b -> b.claim("org_id", "acme"))));
        keycloak.down(true);
        Thread.sleep(700); // the cache has expired: the next use tries to refetch

        Claims claims = verifier.verify(sign(k1, claims(b -> b.claim("org_id", "acme"))));

        assertThat(claims.organization()).hasValue("acme");
        assertThat(keycloak.jwksRequests()).as("a refetch was attempted and failed").isGreaterThan(1);
    }

    @Test
    void keycloakDown_beforeDiscovery_keysUnavailable_thenDiscoveryIsRetried() throws Exception {
        KeycloakVerifier verifier = builder().discoveryRetryInterval(Duration.ZERO).build();
        keycloak.down(true);

        TokenRejectedException e = assertRejected(verifier, sign(k1, claims(b -> b.claim("org_id", "acme"))),
                RejectionReason.KEYS_UNAVAILABLE);
        assertThat(e.getMessage()).contains("discovery").contains("HTTP 503");

        keycloak.down(false);
        assertThat(verifier.verify(sign(k1, claims(b -> b.claim("org_id", "acme")))).organization()).hasValue("acme");
        assertThat(keycloak.discoveryRequests()).isEqualTo(2);
    }

    @Test
    void discoveryNamingAnotherIssuer_isRefused() throws Exception {
        keycloak.advertiseIssuer(keycloak.issuer() + "/");
        KeycloakVerifier verifier = builder().build();

        TokenRejectedException e = assertRejected(verifier, sign(k1, claims(b -> b.claim("org_id", "acme"))),
                RejectionReason.KEYS_UNAVAILABLE);

        assertThat(e.getMessage()).contains("discovery metadata names issuer");
        assertThat(keycloak.jwksRequests()).isZero();
    }

    @Test
    void idAndRefreshTokens_areRefusedBeforeAnyKeyIsFetched() throws Exception {
        KeycloakVerifier verifier = builder().build();

        for (String typ : List.of("ID", "Refresh", "Logout")) {
            TokenRejectedException e = assertRejected(verifier,
                    sign(k1, claims(b -> b.claim("org_id", "acme").claim("typ", typ))), RejectionReason.WRONG_TYPE);
            assertThat(e.getMessage()).contains("typ: \"" + typ + "\"");
        }
        assertThat(keycloak.discoveryRequests()).isZero();
    }

    @Test
    void expiredToken_isRefused() throws Exception {
        Instant past = Instant.now().minus(Duration.ofHours(1));
        String token = sign(k1, claims(b -> b.claim("org_id", "acme")
                .issueTime(Date.from(past.minusSeconds(300))).expirationTime(Date.from(past))));

        assertRejected(builder().build(), token, RejectionReason.EXPIRED);
    }

    @Test
    void tokenSignedByAnotherKeyWithAKnownKid_badSignature() throws Exception {
        assertRejected(builder().build(), sign(newKeyWithKid("k1"), claims(b -> b.claim("org_id", "acme"))),
                RejectionReason.BAD_SIGNATURE);
    }

    @Test
    void hmacToken_unsupportedAlgorithm() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(),
                claims(b -> b.claim("org_id", "acme")));
        jwt.sign(new MACSigner(new byte[32]));

        assertRejected(builder().build(), jwt.serialize(), RejectionReason.UNSUPPORTED_ALGORITHM);
    }

    @Test
    void anotherIssuer_isRefused() throws Exception {
        assertRejected(builder().build(),
                sign(k1, claims(b -> b.issuer("http://evil.test/realms/acme").claim("org_id", "acme"))),
                RejectionReason.WRONG_ISSUER);
    }

    @Test
    void sharedSovereign_realmAndOrganizationMustAgree() throws Exception {
        KeycloakVerifier verifier = builder().topology(Topology.SHARED_SOVEREIGN).build();

        assertThat(verifier.verify(sign(k1, claims(b -> b.claim("org_id", "acme")))).organization()).hasValue("acme");
        TokenRejectedException e = assertRejected(verifier, sign(k1, claims(b -> b.claim("org_id", "globex"))),
                RejectionReason.ORGANIZATION_CONFLICT);
        assertThat(e.getMessage()).isEqualTo("organization \"globex\" is not realm \"acme\" of the issuer"
                + " (expected: equal in topology shared-sovereign, one realm per organization)");
    }

    @Test
    void perOrganization_acceptsTheTokensOrganization() throws Exception {
        assertThat(builder().build().verify(sign(k1, claims(b -> b.claim("org_id", "globex")))).organization())
                .hasValue("globex");
    }

    @Test
    void perOrganization_boundIssuer_refusesAnyOtherOrganization() throws Exception {
        KeycloakVerifier verifier = builder().organization(Optional.of("acme")).build();

        assertThat(verifier.verify(sign(k1, claims(b -> b.claim("org_id", "acme")))).organization()).hasValue("acme");
        TokenRejectedException e = assertRejected(verifier, sign(k1, claims(b -> b.claim("org_id", "globex"))),
                RejectionReason.ORGANIZATION_CONFLICT);
        assertThat(e.getMessage()).isEqualTo("organization \"globex\" is not \"acme\", the organization"
                + " identity.keycloak.organizations binds issuer \"" + keycloak.issuer() + "\" to (expected: equal;"
                + " an issuer speaks for its own organization only)");
    }

    @Test
    void withoutRoleCapabilitiesConfigured_designsDefaultMappingApplies_andAConfiguredMapReplacesIt() throws Exception {
        String token = sign(k1, claims(b -> b.claim("org_id", "acme")
                .claim("realm_access", Map.of("roles", List.of("gatehouse-user", "org-admin", "gatehouse-admin", "offline_access")))));
        IdentityConfig unset = new IdentityConfig(Topology.PER_ORGANIZATION, false, List.of(keycloak.issuerUri()),
                Optional.empty(), Map.of(), Duration.ofSeconds(30), Map.of());
        IdentityConfig configured = new IdentityConfig(Topology.PER_ORGANIZATION, false, List.of(keycloak.issuerUri()),
                Optional.empty(), Map.of("org-admin", Set.of("audit:read")), Duration.ofSeconds(30), Map.of());

        assertThat(builder().identity(unset).build().verify(token).capabilities())
                .containsExactlyInAnyOrder("llm:use", "org:admin", "gatehouse:admin");
        assertThat(builder().identity(configured).build().verify(token).capabilities()).containsExactly("audit:read");
    }

    @Test
    void perOrganization_bindingFromIdentityConfig_appliesToItsIssuerOnly() throws Exception {
        IdentityConfig identity = new IdentityConfig(Topology.PER_ORGANIZATION, false,
                List.of(keycloak.issuerUri(), URI.create("https://other.test/realms/x")), Optional.empty(), Map.of(),
                Duration.ofSeconds(30), Map.of(URI.create("https://other.test/realms/x"), "globex"));
        assertThat(builder().identity(identity).build().verify(sign(k1, claims(b -> b.claim("org_id", "acme"))))
                .organization()).hasValue("acme");

        IdentityConfig bound = new IdentityConfig(Topology.PER_ORGANIZATION, false, List.of(keycloak.issuerUri()),
                Optional.empty(), Map.of(), Duration.ofSeconds(30), Map.of(keycloak.issuerUri(), "globex"));
        assertRejected(builder().identity(bound).build(), sign(k1, claims(b -> b.claim("org_id", "acme"))),
                RejectionReason.ORGANIZATION_CONFLICT);
    }

    @Test
    void legacyOrgOnly_isAccepted() throws Exception {
        KeycloakVerifier verifier = builder().topology(Topology.SHARED_SOVEREIGN).build();

        assertThat(verifier.verify(sign(k1, claims(b -> b.claim("org", "acme")))).organization()).hasValue("acme");
    }

    @Test
    void keycloakOrganizationClaim_isAccepted() throws Exception {
        Claims claims = builder().build().verify(sign(k1, claims(b -> b
                .claim("organization", Map.of("acme", Map.of("id", "42"))))));

        assertThat(claims.organization()).hasValue("acme");
    }

    @Test
    void orgIdAndLegacyOrgDisagree_organizationConflict() throws Exception {
        assertRejected(builder().build(), sign(k1, claims(b -> b.claim("org_id", "acme").claim("org", "globex"))),
                RejectionReason.ORGANIZATION_CONFLICT);
    }

    @Test
    void noOrganization_missingClaim() throws Exception {
        TokenRejectedException e = assertRejected(builder().build(), sign(k1, claims(b -> b)),
                RejectionReason.MISSING_CLAIM);

        assertThat(e.getMessage()).startsWith("org_id: missing");
    }

    @Test
    void malformedRoles_missingClaim() throws Exception {
        assertRejected(builder().build(), sign(k1, claims(b -> b.claim("org_id", "acme")
                .claim("realm_access", Map.of("roles", "admin")))), RejectionReason.MISSING_CLAIM);
    }

    @Test
    void configuredAudience_mustBeInAudOrAzp() throws Exception {
        KeycloakVerifier verifier = builder().audience(Optional.of("gatehouse")).build();

        assertThat(verifier.verify(sign(k1, claims(b -> b.claim("org_id", "acme").claim("azp", "gatehouse")))))
                .isNotNull();
        assertThat(verifier.verify(sign(k1, claims(b -> b.claim("org_id", "acme").audience(List.of("gatehouse"))))))
                .isNotNull();
        assertRejected(verifier, sign(k1, claims(b -> b.claim("org_id", "acme"))), RejectionReason.WRONG_AUDIENCE);
    }

    private KeycloakVerifier.Builder builder() {
        return KeycloakVerifier.builder(keycloak.issuerUri()).discoveryRetryInterval(Duration.ZERO);
    }

    private JWTClaimsSet claims(UnaryOperator<JWTClaimsSet.Builder> customize) {
        return customize.apply(keycloak.accessToken("alice")).build();
    }

    /** k2's key material under another kid: a key the realm never published. */
    private static RSAKey newKeyWithKid(String kid) {
        return new RSAKey.Builder(k2).keyID(kid).build();
    }

    private static TokenRejectedException assertRejected(KeycloakVerifier verifier, String token, RejectionReason reason) {
        TokenRejectedException e = assertThatExceptionOfType(TokenRejectedException.class)
                .isThrownBy(() -> verifier.verify(token))
                .actual();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        assertThat(e.getMessage()).doesNotContain(token);
        return e;
    }
}
