package dev.gatehouse.server.crypto;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Optional;

/**
 * Cryptography settings.
 *
 * @param provider which JCA provider signs and verifies Gatehouse's tokens ({@link SignatureProviders})
 */
public record CryptoConfig(ProviderSetting provider) {

    public CryptoConfig {
        requireNonNull(provider, "provider");
    }

    /** The values of {@code crypto.provider}. */
    public enum ProviderSetting {
        /** Amazon Corretto Crypto Provider where it loads and passes its self-tests, else the JDK's. */
        AUTO,
        /** The JDK's providers (Tink for EdDSA); Amazon Corretto Crypto Provider is never loaded. */
        JDK,
        /** Amazon Corretto Crypto Provider; the start fails where it cannot be used. */
        ACCP;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<ProviderSetting> fromConfigName(String name) {
            for (ProviderSetting setting : values()) {
                if (setting.configName().equals(name)) {
                    return Optional.of(setting);
                }
            }
            return Optional.empty();
        }
    }
}
