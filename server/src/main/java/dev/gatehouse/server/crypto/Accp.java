package dev.gatehouse.server.crypto;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.util.List;
import java.util.Optional;

/**
 * Amazon Corretto Crypto Provider (ACCP), and the only class that names it: {@link #load} loads its
 * classes, its native library and runs its self-tests; nothing else does.
 */
final class Accp {
    static final String NAME = "accp";
    /** What the token signers and verifiers take from it. */
    private static final List<Service> REQUIRED = List.of(
            new Service("Signature", "SHA256withECDSA"),
            new Service("Signature", "Ed25519"),
            new Service("KeyFactory", "EC"));

    private Accp() {}

    /**
     * @param reason why it is being chosen, should it load
     * @throws Unavailable saying why it cannot be used here
     */
    static SignatureProvider load(String reason) throws Unavailable {
        AmazonCorrettoCryptoProvider accp;
        try {
            accp = AmazonCorrettoCryptoProvider.INSTANCE;
        } catch (LinkageError e) {
            throw new Unavailable("it does not load: " + e);
        }
        Throwable loadingError = accp.getLoadingError();
        if (loadingError != null) {
            throw new Unavailable("its native library does not load: " + loadingError.getMessage());
        }
        try {
            accp.assertHealthy();
        } catch (RuntimeException e) {
            throw new Unavailable("its self-tests fail: " + e.getMessage());
        }
        for (Service service : REQUIRED) {
            if (accp.getService(service.type(), service.algorithm()) == null) {
                throw new Unavailable("it offers no " + service.type() + " " + service.algorithm());
            }
        }
        return new SignatureProvider(NAME, accp.getVersionStr(), Optional.of(accp), reason);
    }

    private record Service(String type, String algorithm) {}

    /** ACCP cannot be used on this platform; the message says why. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }
}
