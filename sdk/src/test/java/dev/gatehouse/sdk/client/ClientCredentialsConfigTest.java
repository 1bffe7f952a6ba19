package dev.gatehouse.sdk.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientCredentialsConfigTest {
    private static final String ENDPOINT = "https://sso.example.com/realms/acme/protocol/openid-connect/token";

    private static ClientCredentialsConfig.Builder valid() {
        return ClientCredentialsConfig.builder().tokenEndpoint(ENDPOINT).clientId("reporting").clientSecret("s3cret");
    }

    @Test
    void bufferAbsent_staysAbsent_andTheManagerApplies60() {
        ClientCredentialsConfig config = valid().build();

        assertThat(config.tokenExpiryBufferSeconds()).isEmpty();
        try (ClientCredentialsTokenManager manager = ClientCredentialsTokenManager.of(config)) {
            assertThat(manager.tokenExpiryBuffer()).isEqualTo(Duration.ofSeconds(60));
        }
    }

    @Test
    void bufferAsWholeNumbers_textOrNumber_isAccepted() {
        assertThat(valid().tokenExpiryBufferSeconds("0").build().tokenExpiryBufferSeconds()).hasValue(0);
        assertThat(valid().tokenExpiryBufferSeconds(" 120 ").build().tokenExpiryBufferSeconds()).hasValue(120);
        assertThat(valid().tokenExpiryBufferSeconds(30).build().tokenExpiryBufferSeconds()).hasValue(30);
        assertThat(valid().tokenExpiryBufferSeconds(45L).build().tokenExpiryBufferSeconds()).hasValue(45);
        assertThat(valid().tokenExpiryBufferSeconds(60.0).build().tokenExpiryBufferSeconds()).hasValue(60);
        try (ClientCredentialsTokenManager manager =
                ClientCredentialsTokenManager.of(valid().tokenExpiryBufferSeconds("0").build())) {
            assertThat(manager.tokenExpiryBuffer()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1.5", "0.1", "abc", "", " ", "60s", "1e3", "NaN", "99999999999999999999"})
    void bufferAsInvalidText_isRefusedAtBuild_namingTheKey(String text) {
        ClientCredentialsConfig.Builder builder = valid().tokenExpiryBufferSeconds(text);

        assertThatIllegalArgumentException().isThrownBy(builder::build)
                .withMessageStartingWith("tokenExpiryBufferSeconds: \"" + text + "\"")
                .withMessageEndingWith("(expected: a whole number >= 0, seconds)");
    }

    @Test
    void bufferAsInvalidNumber_isRefusedAtBuild_namingTheKey() {
        for (Number number : new Number[] {-1, -60L, 1.5, 0.25f, new BigDecimal("2.5"), Double.NaN,
                Double.POSITIVE_INFINITY}) {
            ClientCredentialsConfig.Builder builder = valid().tokenExpiryBufferSeconds(number);

            assertThatIllegalArgumentException().as("%s", number).isThrownBy(builder::build)
                    .withMessage("tokenExpiryBufferSeconds: " + number + " (expected: a whole number >= 0, seconds)");
        }
    }

    @Test
    void requiredAndExclusiveKeys_areNamed() {
        assertThatIllegalArgumentException().isThrownBy(() -> ClientCredentialsConfig.builder().build())
                .withMessage("tokenEndpoint: not set (expected: the token endpoint URL)");
        assertThatIllegalArgumentException().isThrownBy(() -> valid().tokenEndpoint("ftp://x/token").build())
                .withMessageStartingWith("tokenEndpoint: \"ftp://x/token\"");
        assertThatIllegalArgumentException().isThrownBy(() -> valid().tokenEndpoint("/relative").build())
                .withMessageStartingWith("tokenEndpoint: \"/relative\"");
        assertThatIllegalArgumentException().isThrownBy(() -> ClientCredentialsConfig.builder()
                        .tokenEndpoint(ENDPOINT).clientSecret("s").build())
                .withMessage("clientId: not set (expected: the OAuth client id)");
        assertThatIllegalArgumentException().isThrownBy(() -> ClientCredentialsConfig.builder()
                        .tokenEndpoint(ENDPOINT).clientId("c").build())
                .withMessage("clientSecret: not set (expected: clientSecret or clientSecretFile)");
        assertThatIllegalArgumentException().isThrownBy(() -> valid().clientSecretFile(Path.of("/nonexistent/x")).build())
                .withMessage("clientSecret and clientSecretFile: both set (expected: one of them)");
        assertThatIllegalArgumentException().isThrownBy(() -> ClientCredentialsConfig.builder().tokenEndpoint(ENDPOINT)
                        .clientId("c").clientSecretFile(Path.of("/nonexistent/secret")).build())
                .withMessage("clientSecretFile: /nonexistent/secret (expected: a readable file holding the client secret)");
        assertThatIllegalArgumentException().isThrownBy(() -> valid().scope(" ").build())
                .withMessageStartingWith("scope: blank");
    }

    @Test
    void toString_neverShowsTheSecret() {
        assertThat(valid().scope("openid").build().toString()).doesNotContain("s3cret").contains("clientSecret=(set)");
    }
}
