package dev.gatehouse.server.units;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and formats the human forms of durations ({@code 30s}, {@code PT30S}) and sizes
 * ({@code 1MiB}): the one duration syntax of configuration, the PAT API's {@code ttl} and the CLI's
 * {@code --ttl}. Stateless.
 */
public final class Quantities {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern SECONDS = Pattern.compile("\\d+");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([a-z]*)");
    private static final Map<String, Long> SIZE_UNITS = Map.of(
            "", 1L, "b", 1L,
            "kb", 1_000L, "mb", 1_000_000L, "gb", 1_000_000_000L,
            "kib", 1L << 10, "mib", 1L << 20, "gib", 1L << 30);

    private Quantities() {}

    /**
     * {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d} or ISO-8601 ({@code PT30S}). A bare
     * number is refused: it does not say its unit.
     */
    public static Duration parseDuration(String text) {
        String trimmed = text.strip();
        Matcher matcher = DURATION.matcher(trimmed);
        try {
            if (matcher.matches()) {
                long amount = Long.parseLong(matcher.group(1));
                return switch (matcher.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
            }
            if (trimmed.startsWith("P") || trimmed.startsWith("p")) {
                return Duration.parse(trimmed);
            }
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration", e);
        }
        throw new IllegalArgumentException("not a duration");
    }

    /**
     * A token lifetime: what {@link #parseDuration} reads, or a bare number of seconds
     * ({@code 3600}); positive.
     *
     * @throws IllegalArgumentException when it is neither, or not positive
     */
    public static Duration parseTtl(String text) {
        String trimmed = text.strip();
        Duration ttl;
        try {
            ttl = SECONDS.matcher(trimmed).matches() ? Duration.ofSeconds(Long.parseLong(trimmed)) : parseDuration(trimmed);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration", e);
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("not positive");
        }
        return ttl;
    }

    /** The shortest form {@link #parseDuration} reads back to the same value. */
    public static String formatDuration(Duration duration) {
        if (duration.isNegative() || duration.getNano() % 1_000_000 != 0) {
            return duration.toString();
        }
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0s";
        }
        if (millis % Duration.ofDays(1).toMillis() == 0) {
            return duration.toDays() + "d";
        }
        if (millis % Duration.ofHours(1).toMillis() == 0) {
            return duration.toHours() + "h";
        }
        if (millis % Duration.ofMinutes(1).toMillis() == 0) {
            return duration.toMinutes() + "m";
        }
        if (millis % 1000 == 0) {
            return duration.toSeconds() + "s";
        }
        return millis + "ms";
    }

    /** Bytes: {@code 1048576}, or with a unit B, KB, MB, GB (powers of 1000), KiB, MiB, GiB (powers of 1024). */
    public static long parseSize(String text) {
        Matcher matcher = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!matcher.matches() || !SIZE_UNITS.containsKey(matcher.group(2))) {
            throw new IllegalArgumentException("not a size");
        }
        try {
            return Math.multiplyExact(Long.parseLong(matcher.group(1)), SIZE_UNITS.get(matcher.group(2)));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("size too large", e);
        }
    }

    /** The shortest form {@link #parseSize} reads back to the same value, preferring binary units. */
    public static String formatSize(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        for (String unit : new String[] {"GiB", "MiB", "KiB", "GB", "MB", "KB"}) {
            long factor = SIZE_UNITS.get(unit.toLowerCase(Locale.ROOT));
            if (bytes % factor == 0) {
                return bytes / factor + unit;
            }
        }
        return Long.toString(bytes);
    }
}
