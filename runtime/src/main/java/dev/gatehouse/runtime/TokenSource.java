package dev.gatehouse.runtime;

import java.util.Optional;

/** Where the gateway token comes from at request time. Implementations are thread-safe. */
interface TokenSource {

    /** The token to send now, or empty when there is none (the caller answers 503). */
    Optional<String> current();

    static TokenSource of(LlmAccess.Gateway gateway) {
        if (gateway.tokenFile() != null) {
            return new TokenFile(gateway.tokenFile());
        }
        Optional<String> token = Optional.of(gateway.token());
        return () -> token;
    }

    /** Whether {@code token} can go into an {@code Authorization} header: visible ASCII, not empty. */
    static boolean isWellFormed(String token) {
        return !token.isEmpty() && token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }
}
