package dev.gatehouse.server.sandbox.kubernetes;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Turns any text (an organization, a user id such as {@code alice@acme.test}) into a Kubernetes label
 * value. A valid label value is kept as it is; any other text becomes its invalid characters replaced
 * by {@code -}, cut and trimmed to letters or digits at both ends, followed by {@code -} and the first 8
 * hex digits of its SHA-256, so that different texts keep different labels and the same text always
 * gets the same one. Stateless and thread-safe.
 */
final class LabelValues {
    private static final int MAX_LENGTH = 63;

    private static final Pattern VALID = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?");
    private static final Pattern INVALID_CHARACTER = Pattern.compile("[^-A-Za-z0-9_.]");
    private static final Pattern NON_ALPHANUMERIC_ENDS = Pattern.compile("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$");
    private static final int DIGEST_HEX_DIGITS = 8;

    private LabelValues() {}

    /** {@code value} in its label-safe form: at most 63 of {@code [A-Za-z0-9._-]}, alphanumeric at both ends. */
    static String safe(String value) {
        requireNonNull(value, "value");
        if (VALID.matcher(value).matches()) {
            return value;
        }
        String digest = sha256Hex(value).substring(0, DIGEST_HEX_DIGITS);
        String replaced = INVALID_CHARACTER.matcher(value).replaceAll("-");
        String cut = replaced.substring(0, Math.min(replaced.length(), MAX_LENGTH - 1 - DIGEST_HEX_DIGITS));
        String trimmed = NON_ALPHANUMERIC_ENDS.matcher(cut).replaceAll("");
        return trimmed.isEmpty() ? digest : trimmed + "-" + digest;
    }

    private static String sha256Hex(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
