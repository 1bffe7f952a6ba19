package dev.gatehouse.server.secrets;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A secret configuration value (password, key-encryption key, shared signing key). Its
 * {@link #toString()} never reveals the value, so a secret cannot leak through a log line, an
 * exception message or a config dump by accident. Immutable and thread-safe.
 */
public final class Secret {
    private final byte[] value;

    private Secret(byte[] value) {
        this.value = value.clone();
    }

    public static Secret of(String value) {
        requireNonNull(value, "value");
        return new Secret(value.getBytes(StandardCharsets.UTF_8));
    }

    public static Secret ofBytes(byte[] value) {
        requireNonNull(value, "value");
        return new Secret(value);
    }

    /** A copy of the raw bytes. */
    public byte[] bytes() {
        return value.clone();
    }

    /** The value as UTF-8 text (for passwords). */
    public String text() {
        return new String(value, StandardCharsets.UTF_8);
    }

    public int length() {
        return value.length;
    }

    /** Constant-time comparison with a presented value. */
    public boolean matches(byte[] presented) {
        return presented != null && MessageDigest.isEqual(value, presented);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret that && MessageDigest.isEqual(value, that.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Secret[redacted]";
    }
}
