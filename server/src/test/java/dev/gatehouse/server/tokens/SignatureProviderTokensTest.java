package dev.gatehouse.server.tokens;

import static dev.gatehouse.server.tokens.TokenFixtures.ISSUER;
import static dev.gatehouse.server.tokens.TokenFixtures.TOKENS;
import static dev.gatehouse.server.tokens.TokenFixtures.keys;
import static dev.gatehouse.server.tokens.TokenFixtures.randomKek;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import com.nimbusds.jose.util.Base64URL;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.GatehouseTokenVerifier;
import dev.gatehouse.sdk.verify.RejectionReason;
import dev.gatehouse.sdk.verify.TokenRejectedException;
import dev.gatehouse.server.crypto.CryptoConfig;
import dev.gatehouse.server.crypto.CryptoConfig.ProviderSetting;
import dev.gatehouse.server.crypto.SignatureProvider;
import dev.gatehouse.server.crypto.SignatureProviders;
import dev.gatehouse.server.store.TestDatabases.Kind;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import java.nio.file.Path;
import java.security.Provider;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tokens signed through one signature provider verify through the other, for both algorithms. */
class SignatureProviderTokensTest {
    private static final SignatureProvider JDK = SignatureProviders.choose(new CryptoConfig(ProviderSetting.JDK));
    private static final SignatureProvider ACCP = SignatureProviders.choose(new CryptoConfig(ProviderSetting.ACCP));
    private static final MintRequest SESSION = new MintRequest(TokenType.SESSION, "alice", List.of(ISSUER),
            Duration.ofMinutes(10), Map.of("org_id", "acme"));

    @TempDir
    Path tempDir;

    @ParameterizedTest
    @CsvSource({
        "ES256, jdk, accp", "ES256, accp, jdk", "ES256, accp, accp",
        "EdDSA, jdk, accp", "EdDSA, accp, jdk", "EdDSA, accp, accp"})
    void signedWithOne_verifiesWithTheOther_andATamperedSignatureDoesNot(SigningAlgorithm algorithm, String signedBy,
            String verifiedBy) throws Exception {
        try (TestStore store = Kind.SQLITE.create(tempDir)) {
            KeyRing ring = KeyRing.open(store.open(), randomKek(), keys(algorithm), TOKENS, Clock.systemUTC());
            String token = SigningTokenMinter.of(ring, TOKENS, Clock.systemUTC(), provider(signedBy))
                    .mint(SESSION).token();
            GatehouseTokenVerifier verifier = verifier(ring, provider(verifiedBy));

            assertThat(verifier.verify(token).subject()).isEqualTo("alice");
            assertThatExceptionOfType(TokenRejectedException.class)
                    .isThrownBy(() -> verifier.verify(withSignatureBitFlipped(token)))
                    .satisfies(e -> assertThat(e.reason()).isEqualTo(RejectionReason.BAD_SIGNATURE));
        }
    }

    @ParameterizedTest
    @CsvSource({"ES256, cannot use the EC key with Empty", "EdDSA, cannot sign Ed25519 with Empty"})
    void providerOfferingNothing_failsWhenTheSignerIsBuilt_namingIt(SigningAlgorithm algorithm, String message)
            throws Exception {
        SignatureProvider empty = new SignatureProvider("empty", "0", Optional.of(new Provider("Empty", "0", "") {
            private static final long serialVersionUID = 1L;
        }), "test");
        try (TestStore store = Kind.SQLITE.create(tempDir)) {
            KeyRing ring = KeyRing.open(store.open(), randomKek(), keys(algorithm), TOKENS, Clock.systemUTC());

            assertThatIllegalStateException()
                    .isThrownBy(() -> SigningTokenMinter.of(ring, TOKENS, Clock.systemUTC(), empty).mint(SESSION))
                    .withMessageContaining("cannot build a signer")
                    .havingCause()
                    .withMessageStartingWith(message);
        }
    }

    private static SignatureProvider provider(String name) {
        return name.equals("accp") ? ACCP : JDK;
    }

    private static GatehouseTokenVerifier verifier(KeyRing ring, SignatureProvider provider) {
        GatehouseTokenVerifier.Builder builder = GatehouseTokenVerifier.builder()
                .issuer(ISSUER)
                .keySource(ring.verificationKeys())
                .acceptedTypes(EnumSet.allOf(TokenType.class))
                .audience(ISSUER);
        provider.jca().ifPresent(builder::signatureProvider);
        return builder.build();
    }

    private static String withSignatureBitFlipped(String token) {
        String[] parts = token.split("\\.");
        byte[] signature = new Base64URL(parts[2]).decode();
        signature[signature.length / 2] ^= 1;
        return parts[0] + "." + parts[1] + "." + Base64URL.encode(signature);
    }
}
