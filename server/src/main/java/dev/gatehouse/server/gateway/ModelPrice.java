package dev.gatehouse.server.gateway;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collection;
import java.util.Optional;

/**
 * What one model costs on one channel, in {@code gateway.currency} per million tokens. A price per
 * million tokens is also the price of one token in millionths of the currency, the unit spend is
 * kept in ({@code spend_micros}). Immutable.
 *
 * @param inputPerMillion prompt (input) tokens, {@code >= 0}, at most 6 decimals
 * @param outputPerMillion completion (output) tokens, {@code >= 0}, at most 6 decimals
 */
public record ModelPrice(BigDecimal inputPerMillion, BigDecimal outputPerMillion) {
    private static final BigDecimal MAX_MICROS = BigDecimal.valueOf(Long.MAX_VALUE);

    public ModelPrice {
        requireNonNull(inputPerMillion, "inputPerMillion");
        requireNonNull(outputPerMillion, "outputPerMillion");
        requireValid("input", inputPerMillion);
        requireValid("output", outputPerMillion);
    }

    /** The spend of a request, in millionths of the currency, rounded up. */
    public long spendMicros(long promptTokens, long completionTokens) {
        BigDecimal micros = inputPerMillion.multiply(BigDecimal.valueOf(promptTokens))
                .add(outputPerMillion.multiply(BigDecimal.valueOf(completionTokens)))
                .setScale(0, RoundingMode.CEILING);
        return micros.compareTo(MAX_MICROS) >= 0 ? Long.MAX_VALUE : micros.longValueExact();
    }

    /**
     * The most completion tokens that {@code micros} pays for after {@code promptTokens}; {@code
     * Long.MAX_VALUE} when output is free, negative when even the prompt does not fit.
     */
    public long completionTokensWithin(long micros, long promptTokens) {
        long left = micros - spendMicros(promptTokens, 0);
        if (left < 0) {
            return -1;
        }
        if (outputPerMillion.signum() == 0) {
            return Long.MAX_VALUE;
        }
        BigDecimal tokens = BigDecimal.valueOf(left).divide(outputPerMillion, 0, RoundingMode.FLOOR);
        return tokens.compareTo(MAX_MICROS) >= 0 ? Long.MAX_VALUE : tokens.longValueExact();
    }

    /** The price that is the higher of each part among {@code prices}; empty if there are none. */
    public static Optional<ModelPrice> highest(Collection<ModelPrice> prices) {
        return prices.stream().reduce((a, b) -> new ModelPrice(a.inputPerMillion.max(b.inputPerMillion),
                a.outputPerMillion.max(b.outputPerMillion)));
    }

    private static void requireValid(String part, BigDecimal price) {
        if (price.signum() < 0 || price.stripTrailingZeros().scale() > 6) {
            throw new IllegalArgumentException(part + ": " + price.toPlainString()
                    + " (expected: a price per million tokens >= 0 with at most 6 decimals)");
        }
    }
}
