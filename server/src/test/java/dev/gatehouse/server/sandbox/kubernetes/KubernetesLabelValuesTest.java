package dev.gatehouse.server.sandbox.kubernetes;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link LabelValues}: organizations and users as Kubernetes label values. */
class KubernetesLabelValuesTest {
    private static final String LABEL_VALUE = "(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?";

    @ParameterizedTest
    @ValueSource(strings = {"acme", "team.a_b-c", "U123", ""})
    void validLabelValue_isKeptAsItIs(String value) {
        assertThat(LabelValues.safe(value)).isEqualTo(value);
    }

    @Test
    void emailAddress_invalidCharactersReplaced_digestAppended() throws Exception {
        assertThat(LabelValues.safe("alice@acme.test")).isEqualTo("alice-acme.test-" + digest("alice@acme.test"));
    }

    @Test
    void valueOf100Characters_isCutTo63WithTheDigest() throws Exception {
        String user = "agent." + Sandboxes.hex(47);

        String safe = LabelValues.safe(user);

        assertThat(safe).hasSize(63).isEqualTo(user.substring(0, 54) + "-" + digest(user)).matches(LABEL_VALUE);
    }

    @Test
    void cutEndingInAnInvalidCharacter_isTrimmedToAnAlphanumericEnd() throws Exception {
        String user = "a".repeat(53) + "@rest-of-a-long-name";

        assertThat(LabelValues.safe(user)).isEqualTo("a".repeat(53) + "-" + digest(user));
    }

    @Test
    void invalidCharactersAtTheEnds_areTrimmed() throws Exception {
        assertThat(LabelValues.safe("@alice@")).isEqualTo("alice-" + digest("@alice@"));
    }

    @Test
    void nothingAlphanumeric_isTheDigestAlone() throws Exception {
        assertThat(LabelValues.safe("@@@")).isEqualTo(digest("@@@"));
    }

    @Test
    void nonAsciiCharacters_areReplaced() throws Exception {
        assertThat(LabelValues.safe("jürgen")).isEqualTo("j-rgen-" + digest("jürgen"));
    }

    @Test
    void valuesWithTheSameReplacement_stayDistinct() {
        assertThat(LabelValues.safe("alice@acme.test")).isNotEqualTo(LabelValues.safe("alice+acme.test"))
                .isEqualTo(LabelValues.safe("alice@acme.test"));
    }

    private static String digest(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(UTF_8))).substring(0, 8);
    }
}
