package dev.gatehouse.server.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.server.secrets.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyEncryptionKeyTest {
    private static final byte[] PLAINTEXT = "{\"d\":\"private\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] AAD = "kid-1".getBytes(StandardCharsets.UTF_8);
    private static final String NOT_AUTHENTIC = "sealed data does not authenticate "
            + "(tampered, sealed for other associated data, or under another key-encryption key)";

    @TempDir
    Path tempDir;

    @Test
    void seal_thenOpen_returnsPlaintext() {
        KeyEncryptionKey kek = KeyEncryptionKey.of(randomSecret());

        assertThat(kek.open(kek.seal(PLAINTEXT, AAD), AAD)).isEqualTo(PLAINTEXT);
    }

    @Test
    void seal_usesVersionByteAndFreshNonce() {
        KeyEncryptionKey kek = KeyEncryptionKey.of(randomSecret());

        byte[] first = kek.seal(PLAINTEXT, AAD);
        byte[] second = kek.seal(PLAINTEXT, AAD);

        assertThat(first).hasSize(1 + 12 + PLAINTEXT.length + 16);
        assertThat(first[0]).isEqualTo((byte) 1);
        assertThat(second[0]).isEqualTo((byte) 1);
        assertThat(first).isNotEqualTo(second);
    }

    @ParameterizedTest(name = "byte {0}")
    @ValueSource(ints = {1, 12, 13, 20, 43})
    void open_tamperedNonceCiphertextOrTag_isRejected(int index) {
        KeyEncryptionKey kek = KeyEncryptionKey.of(randomSecret());
        byte[] sealed = kek.seal(PLAINTEXT, AAD);
        sealed[index] ^= 0x01;

        assertThatThrownBy(() -> kek.open(sealed, AAD))
                .isInstanceOf(KeyEncryptionException.class)
                .hasMessage(NOT_AUTHENTIC);
    }

    @Test
    void open_withOtherAssociatedData_isRejected() {
        KeyEncryptionKey kek = KeyEncryptionKey.of(randomSecret());
        byte[] sealed = kek.seal(PLAINTEXT, AAD);

        assertThatThrownBy(() -> kek.open(sealed, "kid-2".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(KeyEncryptionException.class)
                .hasMessage(NOT_AUTHENTIC);
    }

    @Test
    void open_withOtherKey_isRejected_withoutRevealingPlaintextOrKey() {
        Secret secret = randomSecret();
        byte[] sealed = KeyEncryptionKey.of(secret).seal(PLAINTEXT, AAD);

        assertThatThrownBy(() -> KeyEncryptionKey.of(randomSecret()).open(sealed, AAD))
                .isInstanceOf(KeyEncryptionException.class)
                .hasMessage(NOT_AUTHENTIC)
                .hasNoCause();
    }

    @Test
    void open_unknownVersion_isRejected() {
        KeyEncryptionKey kek = KeyEncryptionKey.of(randomSecret());
        byte[] sealed = kek.seal(PLAINTEXT, AAD);
        sealed[0] = 2;

        assertThatThrownBy(() -> kek.open(sealed, AAD))
                .isInstanceOf(KeyEncryptionException.class)
                .hasMessage("sealed data: format version 2 (expected: 1)");
    }

    @Test
    void open_truncated_isRejected() {
        KeyEncryptionKey kek = KeyEncryptionKey.of(randomSecret());

        assertThatThrownBy(() -> kek.open(new byte[28], AAD))
                .isInstanceOf(KeyEncryptionException.class)
                .hasMessage("sealed data: 28 bytes (expected: >= 29 bytes)");
    }

    @Test
    void of_wrongLength_isRejected() {
        assertThatThrownBy(() -> KeyEncryptionKey.of(Secret.ofBytes(new byte[16])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key: 16 bytes (expected: 32 bytes)");
    }

    @Test
    void loadOrGenerate_createsOwnerOnlyFile_inMissingDirectories_andLoadsItAgain() throws Exception {
        Path file = tempDir.resolve("a/b/kek");

        KeyEncryptionKey generated = KeyEncryptionKey.loadOrGenerate(file);
        KeyEncryptionKey loaded = KeyEncryptionKey.loadOrGenerate(file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                .isEqualTo("rwx------");
        assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).hasSize(32);
        assertThat(loaded.open(generated.seal(PLAINTEXT, AAD), AAD)).isEqualTo(PLAINTEXT);
        try (var entries = Files.list(file.getParent())) {
            assertThat(entries).containsExactly(file);
        }
    }

    @Test
    void loadOrGenerate_groupOrWorldReadableFile_isRefused() throws Exception {
        Path file = tempDir.resolve("kek");
        KeyEncryptionKey.loadOrGenerate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> KeyEncryptionKey.loadOrGenerate(file))
                .isInstanceOf(KeyEncryptionException.class)
                .hasMessage("key-encryption key file " + file
                        + ": permissions rw-r--r-- (expected: rw------- or stricter; run chmod 600 on it)");
    }

    @Test
    void loadOrGenerate_wrongLength_isRefused() throws Exception {
        Path file = tempDir.resolve("kek");
        Files.writeString(file, Base64.getEncoder().encodeToString(new byte[16]));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        assertThatThrownBy(() -> KeyEncryptionKey.loadOrGenerate(file))
                .isInstanceOf(KeyEncryptionException.class)
                .hasMessage("key-encryption key file " + file + ": 16 bytes (expected: 32 base64-encoded bytes)");
    }

    @Test
    void loadOrGenerate_notBase64_isRefused_withoutEchoingContent() throws Exception {
        Path file = tempDir.resolve("kek");
        Files.writeString(file, "not*base64*secret");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));

        assertThatThrownBy(() -> KeyEncryptionKey.loadOrGenerate(file))
                .isInstanceOf(KeyEncryptionException.class)
                .hasMessage("key-encryption key file " + file + ": not base64 (expected: 32 base64-encoded bytes)");
    }

    @Test
    void toString_isRedacted() {
        assertThat(KeyEncryptionKey.of(randomSecret())).hasToString("KeyEncryptionKey[redacted]");
    }

    static Secret randomSecret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Secret.ofBytes(key);
    }
}
