package dev.gatehouse.server.console;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable values (session ids, CSRF tokens, OAuth states) and the hashes they are stored under. */
final class RandomSecrets {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private RandomSecrets() {}

    /** 256 random bits, base64url. */
    static String next() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return BASE64URL.encodeToString(bytes);
    }

    /** base64url(SHA-256(value)). */
    static String hash(String value) {
        try {
            return BASE64URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(value.getBytes(UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Constant-time equality of two texts. */
    static boolean matches(String expected, String presented) {
        return presented != null && MessageDigest.isEqual(expected.getBytes(UTF_8), presented.getBytes(UTF_8));
    }
}
