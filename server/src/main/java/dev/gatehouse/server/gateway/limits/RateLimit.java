package dev.gatehouse.server.gateway.limits;

import dev.gatehouse.server.gateway.metering.Caller;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The four per-minute limits, in the order they are checked: token requests, organization
 * requests, token tokens, organization tokens. Each knows its configuration key, whose window a
 * caller's request goes to, and what it takes from that window.
 */
enum RateLimit {
    TOKEN_REQUESTS("tokenRequestsPerMinute", "token-requests", LimitsConfig::tokenRequestsPerMinute),
    ORG_REQUESTS("orgRequestsPerMinute", "org-requests", LimitsConfig::orgRequestsPerMinute),
    TOKEN_TOKENS("tokenTokensPerMinute", "token-tokens", LimitsConfig::tokenTokensPerMinute),
    ORG_TOKENS("orgTokensPerMinute", "org-tokens", LimitsConfig::orgTokensPerMinute);

    private final String name;
    private final String windowKind;
    private final ToLongFunction<LimitsConfig> limit;

    RateLimit(String name, String windowKind, ToLongFunction<LimitsConfig> limit) {
        this.name = name;
        this.windowKind = windowKind;
        this.limit = limit;
    }

    /** The limits set (> 0) in {@code config}, in checking order. */
    static List<RateLimit> configured(LimitsConfig config) {
        return Arrays.stream(values()).filter(rate -> rate.limit(config) > 0).toList();
    }

    long limit(LimitsConfig config) {
        return limit.applyAsLong(config);
    }

    /** A short name of the kind of window, e.g. {@code token-requests}. */
    String windowKind() {
        return windowKind;
    }

    /** Whose window the caller's request counts in: its token's or its organization's. */
    String subject(Caller caller) {
        return isOrganization() ? caller.organization() : caller.tokenId();
    }

    /** What one request takes from this window: 1 request, or its reserved tokens. */
    long amount(long reservedTokens) {
        return countsTokens() ? reservedTokens : 1;
    }

    boolean countsTokens() {
        return this == TOKEN_TOKENS || this == ORG_TOKENS;
    }

    /** The refusal when this limit is reached; {@code retryMillis} until enough of the window has passed. */
    LimitExceededException refusal(long limit, long retryMillis) {
        long seconds = Math.max(1, (retryMillis + 999) / 1000);
        String what = (countsTokens() ? limit + " tokens" : limit + " requests") + " per minute for this "
                + (isOrganization() ? "organization" : "token");
        return new LimitExceededException(LimitsConfig.PREFIX + name, seconds, false,
                "Rate limit reached (" + what + "): retry in " + seconds + " s.");
    }

    private boolean isOrganization() {
        return this == ORG_REQUESTS || this == ORG_TOKENS;
    }
}
