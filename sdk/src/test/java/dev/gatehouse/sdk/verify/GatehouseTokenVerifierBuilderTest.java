package dev.gatehouse.sdk.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.gatehouse.sdk.claims.TokenType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GatehouseTokenVerifierBuilderTest {
    private static final JWKSource<SecurityContext> KEYS = new ImmutableJWKSet<>(new JWKSet());
    private static final byte[] SECRET = new byte[32];

    private static GatehouseTokenVerifier.Builder builder() {
        return GatehouseTokenVerifier.builder().issuer("https://gatehouse.example").keySource(KEYS)
                .acceptedTypes(EnumSet.allOf(TokenType.class)).anyAudience();
    }

    @Test
    void acceptedTypesAndAudienceChoice_areRequired_failClosed() {
        var bare = GatehouseTokenVerifier.builder().issuer("https://gatehouse.example").keySource(KEYS);

        assertThatThrownBy(bare::build).isInstanceOf(IllegalStateException.class)
                .hasMessage("acceptedTypes: not set (expected: the token types this service accepts,"
                        + " e.g. acceptedTypes(EnumSet.of(TokenType.SANDBOX)))");
        bare.acceptedTypes(EnumSet.of(TokenType.SANDBOX));
        assertThatThrownBy(bare::build).isInstanceOf(IllegalStateException.class)
                .hasMessage("audience: not set (expected: audience(...) naming this service,"
                        + " or anyAudience() to accept tokens meant for any audience)");
        assertThat(bare.audience("newapi").build().acceptedTypes()).containsExactly(TokenType.SANDBOX);
        assertThat(bare.anyAudience().build()).isNotNull();
    }

    @Test
    void defaults_es256AndEdDsa_allTypes() {
        GatehouseTokenVerifier verifier = builder().build();

        assertThat(verifier.algorithms()).containsExactly(JWSAlgorithm.ES256, JWSAlgorithm.EdDSA);
        assertThat(verifier.acceptedTypes()).containsExactlyInAnyOrder(TokenType.values());
    }

    @Test
    void defaults_withSecret_addHs256() {
        assertThat(builder().hs256Secret(SECRET).build().algorithms())
                .containsExactly(JWSAlgorithm.ES256, JWSAlgorithm.EdDSA, JWSAlgorithm.HS256);
    }

    @Test
    void emptyAlgorithms_refused() {
        assertThatThrownBy(() -> builder().algorithms(Set.of()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("algorithms: [] (expected: at least one)");
    }

    @Test
    void algNone_refused() {
        assertThatThrownBy(() -> builder().algorithms(Set.of(JWSAlgorithm.parse("none"))).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("algorithms: [none] (expected: only HS256 or asymmetric algorithms, never none)");
    }

    @Test
    void hs256WithoutSecret_refused() {
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>(List.of(JWSAlgorithm.ES256, JWSAlgorithm.HS256));

        assertThatThrownBy(() -> builder().algorithms(algorithms).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("algorithms: [ES256, HS256] (expected: HS256 only with an hs256Secret)");
    }

    @Test
    void otherHmacAlgorithms_refusedEvenWithSecret() {
        assertThatThrownBy(() -> builder().hs256Secret(SECRET).algorithms(Set.of(JWSAlgorithm.HS512)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("algorithms: [HS512] (expected: only HS256 or asymmetric algorithms, never HS512)");
    }

    @Test
    void shortSecret_refused() {
        assertThatThrownBy(() -> builder().hs256Secret(new byte[16]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hs256Secret: 16 bytes (expected: >= 32 bytes)");
    }

    @Test
    void clockSkewOutOfRange_refused() {
        assertThatThrownBy(() -> builder().clockSkew(Duration.ofMinutes(6)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clockSkew: PT6M (expected: PT0S..PT5M)");
        assertThatThrownBy(() -> builder().clockSkew(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clockSkew: PT-1S (expected: PT0S..PT5M)");
    }

    @Test
    void nonPositiveMaxTokenLength_refused() {
        assertThatThrownBy(() -> builder().maxTokenLength(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTokenLength: 0 (expected: > 0)");
    }

    @Test
    void emptyAcceptedTypesOrAudience_refused() {
        assertThatThrownBy(() -> builder().acceptedTypes(EnumSet.noneOf(TokenType.class)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("acceptedTypes: [] (expected: at least one)");
        assertThatThrownBy(() -> builder().audience())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("audience: [] (expected: at least one)");
    }

    @Test
    void missingIssuer_refused() {
        assertThatThrownBy(() -> GatehouseTokenVerifier.builder().keySource(KEYS).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("issuer: not set (expected: the exact iss of accepted tokens)");
    }

    @Test
    void missingKeySource_refusedWhenAsymmetricAllowed() {
        assertThatThrownBy(() -> GatehouseTokenVerifier.builder().issuer("i")
                        .acceptedTypes(EnumSet.allOf(TokenType.class)).anyAudience().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("keySource: not set (expected: the trusted public keys for [ES256, EdDSA])");
    }
}
