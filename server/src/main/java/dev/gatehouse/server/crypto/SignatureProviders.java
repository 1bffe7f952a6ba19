package dev.gatehouse.server.crypto;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.crypto.CryptoConfig.ProviderSetting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the {@link SignatureProvider} for {@code crypto.provider}, once per process, and logs the
 * choice with its reason: {@code jdk} never loads Amazon Corretto Crypto Provider; {@code auto}
 * takes it where it loads and passes its self-tests, else the JDK's; {@code accp} takes it or fails.
 */
public final class SignatureProviders {
    private static final Logger log = LoggerFactory.getLogger(SignatureProviders.class);

    private SignatureProviders() {}

    /**
     * @throws IllegalStateException for {@code accp} where it cannot be used, saying why
     */
    public static SignatureProvider choose(CryptoConfig config) {
        requireNonNull(config, "config");
        return choose(config.provider(), Accp::load);
    }

    static SignatureProvider choose(ProviderSetting setting, AccpLoader accp) {
        SignatureProvider chosen = switch (setting) {
            case JDK -> SignatureProvider.jdk("jdk: configured");
            case ACCP -> {
                try {
                    yield accp.load("accp: configured");
                } catch (Accp.Unavailable e) {
                    throw new IllegalStateException("crypto.provider: accp (expected: auto or jdk where Amazon"
                            + " Corretto Crypto Provider cannot be used; here " + e.getMessage() + ")", e);
                }
            }
            case AUTO -> {
                try {
                    yield accp.load("auto: ACCP loaded and passed its self-tests");
                } catch (Accp.Unavailable e) {
                    yield SignatureProvider.jdk("auto: ACCP unavailable on this platform (" + e.getMessage() + ")");
                }
            }
        };
        log.atInfo()
                .addKeyValue("provider", chosen.name())
                .addKeyValue("version", chosen.version())
                .log("Token signatures use the {} provider {}; {}", chosen.name(), chosen.version(), chosen.reason());
        return chosen;
    }

    /** {@link Accp#load}, replaceable in tests. */
    @FunctionalInterface
    interface AccpLoader {
        SignatureProvider load(String reason) throws Accp.Unavailable;
    }
}
