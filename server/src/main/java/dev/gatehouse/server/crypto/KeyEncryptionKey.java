package dev.gatehouse.server.crypto;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.secrets.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AES-256-GCM key that seals small secrets at rest (signing keys, refresh tokens).
 *
 * <p>{@link #seal} output is {@code version (1 byte) || nonce (12 random bytes) || ciphertext ||
 * tag (16 bytes)}. The associated data passed to {@code seal} (e.g. a key id) is authenticated
 * together with the version byte, so a sealed value only opens in the context it was sealed for.
 * {@link #open} fails with {@link KeyEncryptionException} on any mismatch; GCM cannot tell a
 * tampered value from the wrong key or the wrong associated data, and neither does the message.
 *
 * <p>Immutable and thread-safe.
 */
public final class KeyEncryptionKey {
    public static final int KEY_BYTES = 32;

    private static final Logger log = LoggerFactory.getLogger(KeyEncryptionKey.class);

    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int OVERHEAD = 1 + NONCE_BYTES + TAG_BITS / 8;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final Set<PosixFilePermission> OWNER_READ_WRITE =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE);
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIRECTORY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKey key;

    private KeyEncryptionKey(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /**
     * The key with the given 32 raw bytes.
     *
     * @throws IllegalArgumentException if {@code key} is not 32 bytes long
     */
    public static KeyEncryptionKey of(Secret key) {
        requireNonNull(key, "key");
        if (key.length() != KEY_BYTES) {
            throw new IllegalArgumentException(
                    "key: " + key.length() + " bytes (expected: " + KEY_BYTES + " bytes)");
        }
        byte[] bytes = key.bytes();
        try {
            return new KeyEncryptionKey(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Development only: the key kept base64-encoded in {@code file}, generated on first use.
     *
     * <p>A new file (and any missing parent directory) is created readable by its owner only, with
     * the permissions set at creation time, and published atomically: a concurrent caller reads
     * either no file or the complete one. An existing file is refused if its group or others have
     * any permission on it or if it does not hold exactly 32 base64-encoded bytes.
     *
     * @throws KeyEncryptionException if the existing file is unsafe or malformed
     * @throws UncheckedIOException if the file cannot be read or written
     */
    public static KeyEncryptionKey loadOrGenerate(Path file) {
        requireNonNull(file, "file");
        try {
            return load(file);
        } catch (NoSuchFileException e) {
            return generate(file);
        } catch (IOException e) {
            throw new UncheckedIOException("key-encryption key file " + file + ": cannot read", e);
        }
    }

    /**
     * Encrypts and authenticates {@code plaintext}, bound to {@code associatedData}.
     *
     * @return {@code version || nonce || ciphertext || tag}; a fresh random nonce every call
     */
    public byte[] seal(byte[] plaintext, byte[] associatedData) {
        requireNonNull(plaintext, "plaintext");
        requireNonNull(associatedData, "associatedData");
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, associatedData);
            byte[] sealed = new byte[1 + NONCE_BYTES + cipher.getOutputSize(plaintext.length)];
            sealed[0] = VERSION;
            System.arraycopy(nonce, 0, sealed, 1, NONCE_BYTES);
            cipher.doFinal(plaintext, 0, plaintext.length, sealed, 1 + NONCE_BYTES);
            return sealed;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /**
     * Authenticates and decrypts a value produced by {@link #seal} with the same associated data.
     *
     * @throws KeyEncryptionException if the value is too short, has an unknown format version, or
     *     does not authenticate (tampered, other associated data, or another key)
     */
    public byte[] open(byte[] sealed, byte[] associatedData) {
        requireNonNull(sealed, "sealed");
        requireNonNull(associatedData, "associatedData");
        if (sealed.length < OVERHEAD) {
            throw new KeyEncryptionException(
                    "sealed data: " + sealed.length + " bytes (expected: >= " + OVERHEAD + " bytes)");
        }
        if (sealed[0] != VERSION) {
            throw new KeyEncryptionException(
                    "sealed data: format version " + sealed[0] + " (expected: " + VERSION + ")");
        }
        byte[] nonce = Arrays.copyOfRange(sealed, 1, 1 + NONCE_BYTES);
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, nonce, associatedData);
            return cipher.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new KeyEncryptionException("sealed data does not authenticate "
                    + "(tampered, sealed for other associated data, or under another key-encryption key)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    @Override
    public String toString() {
        return "KeyEncryptionKey[redacted]";
    }

    private Cipher cipher(int mode, byte[] nonce, byte[] associatedData) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(new byte[] {VERSION});
        cipher.updateAAD(associatedData);
        return cipher;
    }

    private static KeyEncryptionKey load(Path file) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (!OWNER_READ_WRITE.containsAll(permissions)) {
            throw new KeyEncryptionException("key-encryption key file " + file + ": permissions "
                    + PosixFilePermissions.toString(permissions)
                    + " (expected: rw------- or stricter; run chmod 600 on it)");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IllegalArgumentException e) {
            throw new KeyEncryptionException(
                    "key-encryption key file " + file + ": not base64 (expected: 32 base64-encoded bytes)");
        }
        try {
            if (key.length != KEY_BYTES) {
                throw new KeyEncryptionException("key-encryption key file " + file + ": " + key.length
                        + " bytes (expected: " + KEY_BYTES + " base64-encoded bytes)");
            }
            return new KeyEncryptionKey(key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private static KeyEncryptionKey generate(Path file) {
        Path target = file.toAbsolutePath();
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        Path temporary = null;
        try {
            Files.createDirectories(target.getParent(), OWNER_ONLY_DIRECTORY);
            temporary = Files.createTempFile(target.getParent(), ".kek-", ".tmp", OWNER_ONLY_FILE);
            try (SeekableByteChannel channel = Files.newByteChannel(temporary, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(Base64.getEncoder().encode(key)));
            }
            // A hard link publishes the complete file and fails if another process published first.
            Files.createLink(target, temporary);
            log.warn("Generated a development key-encryption key in {}; configure keys.kek in production", target);
            return new KeyEncryptionKey(key);
        } catch (FileAlreadyExistsException e) {
            return loadOrGenerate(file);
        } catch (IOException e) {
            throw new UncheckedIOException("key-encryption key file " + file + ": cannot create", e);
        } finally {
            Arrays.fill(key, (byte) 0);
            deleteQuietly(temporary);
        }
    }

    private static void deleteQuietly(Path temporary) {
        if (temporary == null) {
            return;
        }
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            log.warn("Cannot delete temporary file {}: {}", temporary, e.toString());
        }
    }
}
