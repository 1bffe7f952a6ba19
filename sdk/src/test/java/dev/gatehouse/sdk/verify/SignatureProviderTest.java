package dev.gatehouse.sdk.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.sdk.claims.TokenType;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.SignatureSpi;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A verifier given a signature provider checks ES256 and EdDSA signatures with it wherever it offers
 * them, and as without one elsewhere. The JDK's SunEC stands in for a native provider: it offers
 * both, so EdDSA goes through the JCA verifier instead of Tink.
 */
class SignatureProviderTest {
    private static final String ISSUER = "https://gatehouse.example";

    private static ECKey ecKey;
    private static OctetKeyPair edKey;
    private static String es256Token;
    private static String edDsaToken;

    @BeforeAll
    static void signTokens() throws Exception {
        ecKey = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        edKey = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed-1").generate();
        es256Token = sign(JWSAlgorithm.ES256, ecKey.getKeyID(), new ECDSASigner(ecKey));
        edDsaToken = sign(JWSAlgorithm.EdDSA, edKey.getKeyID(), new Ed25519Signer(edKey));
    }

    @Test
    void sunEc_verifiesTokensSignedByNimbusAndTink() throws Exception {
        GatehouseTokenVerifier verifier = verifier(Security.getProvider("SunEC"));

        assertThat(verifier.verify(es256Token).subject()).isEqualTo("user-1");
        assertThat(verifier.verify(edDsaToken).subject()).isEqualTo("user-1");
    }

    @Test
    void sunEc_refusesAnEdDsaSignatureWithOneBitChanged_orOfTheWrongLength() {
        GatehouseTokenVerifier verifier = verifier(Security.getProvider("SunEC"));
        String[] parts = edDsaToken.split("\\.");
        byte[] signature = new Base64URL(parts[2]).decode();
        signature[10] ^= 1;
        String flipped = parts[0] + "." + parts[1] + "." + Base64URL.encode(signature);
        String truncated = parts[0] + "." + parts[1] + "." + Base64URL.encode(Arrays.copyOf(signature, 63));

        assertThat(reasonOf(verifier, flipped)).isEqualTo(RejectionReason.BAD_SIGNATURE);
        assertThat(reasonOf(verifier, truncated)).isEqualTo(RejectionReason.BAD_SIGNATURE);
    }

    @Test
    void providerOfferingBoth_isTheOneThatDecides() {
        GatehouseTokenVerifier verifier = verifier(new RefusingProvider("SHA256withECDSA", "Ed25519"));

        assertThat(reasonOf(verifier, es256Token)).isEqualTo(RejectionReason.BAD_SIGNATURE);
        assertThat(reasonOf(verifier, edDsaToken)).isEqualTo(RejectionReason.BAD_SIGNATURE);
    }

    @Test
    void providerOfferingOnlyEd25519_leavesEs256ToTheJdk() throws Exception {
        GatehouseTokenVerifier verifier = verifier(new RefusingProvider("Ed25519"));

        assertThat(verifier.verify(es256Token).subject()).isEqualTo("user-1");
        assertThat(reasonOf(verifier, edDsaToken)).isEqualTo(RejectionReason.BAD_SIGNATURE);
    }

    @Test
    void providerOfferingNeither_leavesBothToTheDefaults() throws Exception {
        GatehouseTokenVerifier verifier = verifier(new RefusingProvider());

        assertThat(verifier.verify(es256Token).subject()).isEqualTo("user-1");
        assertThat(verifier.verify(edDsaToken).subject()).isEqualTo("user-1");
    }

    private static GatehouseTokenVerifier verifier(Provider provider) {
        return GatehouseTokenVerifier.builder()
                .issuer(ISSUER)
                .keySource(new ImmutableJWKSet<>(new JWKSet(List.<JWK>of(ecKey.toPublicJWK(), edKey.toPublicJWK()))))
                .acceptedTypes(EnumSet.allOf(TokenType.class))
                .anyAudience()
                .signatureProvider(provider)
                .build();
    }

    private static RejectionReason reasonOf(GatehouseTokenVerifier verifier, String token) {
        return assertThatExceptionOfType(TokenRejectedException.class)
                .isThrownBy(() -> verifier.verify(token))
                .actual()
                .reason();
    }

    private static String sign(JWSAlgorithm alg, String kid, JWSSigner signer) throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT).build(),
                new JWTClaimsSet.Builder()
                        .issuer(ISSUER)
                        .subject("user-1")
                        .claim("typ", "session")
                        .claim("org_id", "acme")
                        .jwtID("jti-1")
                        .issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plusSeconds(600)))
                        .build());
        jwt.sign(signer);
        return jwt.serialize();
    }

    /** Offers the named signatures, each refusing every signature it is shown. */
    private static final class RefusingProvider extends Provider {
        private static final long serialVersionUID = 1L;

        RefusingProvider(String... signatures) {
            super("Refusing", "1", "refuses every signature");
            for (String signature : signatures) {
                putService(new Service(this, "Signature", signature, RefusingSignature.class.getName(), null, null));
            }
        }
    }

    public static final class RefusingSignature extends SignatureSpi {
        @Override
        protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {}

        @Override
        protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
            throw new InvalidKeyException("verifies only");
        }

        @Override
        protected void engineUpdate(byte b) {}

        @Override
        protected void engineUpdate(byte[] b, int off, int len) {}

        @Override
        protected byte[] engineSign() {
            throw new UnsupportedOperationException();
        }

        @Override
        protected boolean engineVerify(byte[] sigBytes) {
            return false;
        }

        @Override
        @Deprecated
        protected void engineSetParameter(String param, Object value) {}

        @Override
        @Deprecated
        protected Object engineGetParameter(String param) {
            return null;
        }
    }
}
