package dev.gatehouse.server.crypto;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.server.secrets.Secret;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class EnvelopeVaultTest {
    private static final String CONTEXT = "byos|https://kc/realms/acme|alice|acme|claude-code|refresh";

    private final EnvelopeVault vault = new EnvelopeVault(new LocalKeyWrapper(newKek()));

    @Test
    void sealedValue_opensUnderItsContext_andHidesThePlaintext() {
        String sealed = vault.seal("refresh-token-value".getBytes(UTF_8), CONTEXT);

        assertThat(sealed).startsWith("v1.").doesNotContain("refresh-token-value");
        assertThat(new String(vault.open(sealed, CONTEXT), UTF_8)).isEqualTo("refresh-token-value");
    }

    @Test
    void everySeal_hasItsOwnDataKey() {
        String first = vault.seal("same".getBytes(UTF_8), CONTEXT);
        String second = vault.seal("same".getBytes(UTF_8), CONTEXT);

        assertThat(first.split("\\.")[1]).isNotEqualTo(second.split("\\.")[1]);
        assertThat(first.split("\\.")[2]).isNotEqualTo(second.split("\\.")[2]);
    }

    @Test
    void sealedValueMovedToAnotherRecord_doesNotOpen() {
        String sealed = vault.seal("secret".getBytes(UTF_8), CONTEXT);

        assertThatThrownBy(() -> vault.open(sealed, CONTEXT.replace("alice", "mallory")))
                .isInstanceOf(KeyEncryptionException.class);
    }

    @Test
    void dataKeyOfOneValueWithCiphertextOfAnother_doesNotOpen() {
        String[] first = vault.seal("first".getBytes(UTF_8), CONTEXT).split("\\.");
        String[] second = vault.seal("second".getBytes(UTF_8), CONTEXT).split("\\.");

        assertThatThrownBy(() -> vault.open("v1." + first[1] + "." + second[2], CONTEXT))
                .isInstanceOf(KeyEncryptionException.class);
    }

    @Test
    void tamperedCiphertext_doesNotOpen() {
        String[] parts = vault.seal("secret".getBytes(UTF_8), CONTEXT).split("\\.");
        byte[] ciphertext = Base64.getUrlDecoder().decode(parts[2]);
        ciphertext[ciphertext.length - 1] ^= 1;

        assertThatThrownBy(() -> vault.open("v1." + parts[1] + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(ciphertext), CONTEXT))
                .isInstanceOf(KeyEncryptionException.class);
    }

    @Test
    void anotherKeyEncryptionKey_cannotOpen() {
        String sealed = vault.seal("secret".getBytes(UTF_8), CONTEXT);

        assertThatThrownBy(() -> new EnvelopeVault(new LocalKeyWrapper(newKek())).open(sealed, CONTEXT))
                .isInstanceOf(KeyEncryptionException.class);
    }

    @Test
    void malformedValues_areRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> vault.open("plaintext-token", CONTEXT))
                .isInstanceOf(KeyEncryptionException.class)
                .hasMessageNotContaining("plaintext-token");
        assertThatThrownBy(() -> vault.open("v1.!!!.???", CONTEXT))
                .isInstanceOf(KeyEncryptionException.class)
                .hasMessage("sealed value: not base64url");
    }

    private static KeyEncryptionKey newKek() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return KeyEncryptionKey.of(Secret.ofBytes(key));
    }
}
