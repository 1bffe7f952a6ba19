package dev.gatehouse.server.crypto;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.secrets.Secret;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * AES-256-GCM envelope encryption: every sealed value has a data key of its own, generated for it,
 * which encrypts the value with the context as associated data; the data key is then wrapped by the
 * {@link KeyWrapper} (by default the key-encryption key), bound to the same context. The stored form
 * is {@code v1.<wrapped data key>.<ciphertext>}, both base64url. Thread-safe.
 */
public final class EnvelopeVault implements SecretVault {
    private static final String VERSION = "v1";
    private static final int DATA_KEY_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final KeyWrapper wrapper;

    public EnvelopeVault(KeyWrapper wrapper) {
        this.wrapper = requireNonNull(wrapper, "wrapper");
    }

    @Override
    public String seal(byte[] plaintext, String context) {
        requireNonNull(plaintext, "plaintext");
        byte[] aad = aad(context);
        byte[] dataKey = new byte[DATA_KEY_BYTES];
        RANDOM.nextBytes(dataKey);
        try {
            byte[] ciphertext = KeyEncryptionKey.of(Secret.ofBytes(dataKey)).seal(plaintext, aad);
            byte[] wrapped = wrapper.wrap(dataKey, aad);
            return VERSION + "." + ENCODER.encodeToString(wrapped) + "." + ENCODER.encodeToString(ciphertext);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    @Override
    public byte[] open(String sealed, String context) {
        requireNonNull(sealed, "sealed");
        byte[] aad = aad(context);
        String[] parts = sealed.split("\\.");
        if (parts.length != 3 || !parts[0].equals(VERSION)) {
            throw new KeyEncryptionException("sealed value: not of the form " + VERSION + ".<key>.<ciphertext>");
        }
        byte[] dataKey;
        byte[] ciphertext;
        try {
            dataKey = wrapper.unwrap(DECODER.decode(parts[1]), aad);
            ciphertext = DECODER.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new KeyEncryptionException("sealed value: not base64url");
        }
        try {
            return KeyEncryptionKey.of(Secret.ofBytes(dataKey)).open(ciphertext, aad);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    private static byte[] aad(String context) {
        requireNonNull(context, "context");
        return context.getBytes(StandardCharsets.UTF_8);
    }
}
