package dev.gatehouse.server.tokens;

import dev.gatehouse.server.secrets.Secret;
import dev.gatehouse.server.crypto.KeyEncryptionKey;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;

/** Configuration shared by the token tests; keys are generated, never fixtures. */
final class TokenFixtures {
    static final String ISSUER = "https://gatehouse.test";
    static final Duration MAX_TTL = Duration.ofHours(1);
    static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    /** {@code keys.refreshInterval}, which is also the key ring's propagation delay. */
    static final Duration REFRESH_INTERVAL = Duration.ofSeconds(20);
    static final TokensConfig TOKENS = new TokensConfig(URI.create(ISSUER), MAX_TTL, CLOCK_SKEW);

    private TokenFixtures() {}

    static KeysConfig keys(SigningAlgorithm algorithm) {
        return new KeysConfig(algorithm, Optional.empty(), Path.of("unused-kek"), Optional.empty(),
                REFRESH_INTERVAL);
    }

    static KeyEncryptionKey randomKek() {
        return KeyEncryptionKey.of(Secret.ofBytes(randomBytes(32)));
    }

    static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
