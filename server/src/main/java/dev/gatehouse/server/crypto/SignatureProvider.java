package dev.gatehouse.server.crypto;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.Provider;
import java.util.Optional;

/**
 * The JCA provider that signs and verifies Gatehouse's tokens, as {@link SignatureProviders} chose
 * it at start. It is handed to the token signers and verifiers only, never installed as a JCA
 * provider, so TLS, {@code SecureRandom} and everything else keep the JDK's. Immutable.
 *
 * @param name {@code jdk} or {@code accp}
 * @param version the provider's version: the JDK's for {@code jdk}
 * @param jca the provider to pass to signers and verifiers; empty for the JDK's own (and Tink for EdDSA)
 * @param reason why it was chosen, for the start-up log
 */
public record SignatureProvider(String name, String version, Optional<Provider> jca, String reason) {
    static final String METRIC = "gatehouse.crypto.provider.info";

    public SignatureProvider {
        requireNonNull(name, "name");
        requireNonNull(version, "version");
        requireNonNull(jca, "jca");
        requireNonNull(reason, "reason");
    }

    /** The JDK's providers, for the {@code reason} given. */
    public static SignatureProvider jdk(String reason) {
        return new SignatureProvider("jdk", Runtime.version().toString(), Optional.empty(), reason);
    }

    /** Publishes this choice as {@code gatehouse_crypto_provider_info{provider, version} 1}. */
    public void register(MeterRegistry registry) {
        Gauge.builder(METRIC, () -> 1)
                .description("The JCA provider signing and verifying tokens (crypto.provider); always 1")
                .tag("provider", name)
                .tag("version", version)
                .register(registry);
    }
}
