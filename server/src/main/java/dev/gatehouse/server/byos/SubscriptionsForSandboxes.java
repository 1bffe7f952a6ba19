package dev.gatehouse.server.byos;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.crypto.KeyEncryptionException;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.Shown;
import dev.gatehouse.server.sandbox.LlmAccess;
import dev.gatehouse.server.sandbox.SandboxSubscriptions;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owners' subscriptions as BYOS sandboxes use them: the connections the {@code byos} role stored
 * (whichever process runs it), with their providers' configuration. Reads the store only, never
 * the provider. Thread-safe.
 */
public final class SubscriptionsForSandboxes implements SandboxSubscriptions {
    private static final Logger log = LoggerFactory.getLogger(SubscriptionsForSandboxes.class);

    private final ByosConfig config;
    private final ByosConnections connections;

    public SubscriptionsForSandboxes(ByosConfig config, ByosConnections connections) {
        this.config = requireNonNull(config, "config");
        this.connections = requireNonNull(connections, "connections");
    }

    @Override
    public Lookup current(String providerName, String organization, String subject, String issuer) {
        ByosProvider provider;
        try {
            provider = Providers.require(config, providerName);
        } catch (ApiException e) {
            return new SandboxSubscriptions.Unusable(e.status(), e.code(), e.getMessage(), "Provider "
                    + Shown.quote(providerName) + " is no longer configured (byos.providers).");
        }
        Optional<Connection> connection = connections.find(new ByosOwner(subject, issuer, organization),
                provider.name());
        String api = "/api/v1/sandbox/byos/" + provider.name();
        if (connection.isEmpty()) {
            return new SandboxSubscriptions.Unusable(409, "subscription_not_connected", "You have no subscription of "
                    + provider.name() + " connected in organization " + Shown.quote(organization) + ": connect it"
                    + " first (POST " + api + "/start, or PUT " + api + "/key).",
                    "Its owner's subscription of " + provider.name() + " was disconnected.");
        }
        if (connection.get().status() == Connection.Status.BROKEN) {
            return new SandboxSubscriptions.Unusable(409, "subscription_broken", "Your subscription of "
                    + provider.name() + " is broken (" + connection.get().lastError().orElse("refresh refused")
                    + "): connect it again (POST " + api + "/start).",
                    "Its owner's subscription of " + provider.name() + " broke ("
                            + connection.get().lastError().orElse("refresh refused") + ").");
        }
        String credential;
        try {
            credential = connections.credential(connection.get());
        } catch (KeyEncryptionException e) {
            log.atError().addKeyValue("provider", provider.name()).addKeyValue("owner", subject)
                    .log("a stored subscription does not decrypt: moved between rows, tampered with, or sealed"
                            + " under another key-encryption key");
            return new SandboxSubscriptions.Unusable(409, "subscription_unreadable", "Your subscription of "
                    + provider.name() + " cannot be read by this Gatehouse: connect it again (POST " + api
                    + "/start, or PUT " + api + "/key).",
                    "Its owner's subscription of " + provider.name() + " cannot be read by this Gatehouse.");
        }
        return new SandboxSubscriptions.Usable(new LlmAccess.Subscription(provider.name(),
                provider.sandboxVariable(), credential, provider.apiCidrs(), provider.apiPort()),
                connection.get().version());
    }
}
