package dev.gatehouse.server.byos;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Instant;
import java.util.Optional;

/**
 * A connection started by {@code POST /start}, waiting for its {@code /callback}: stored under the
 * hash of its {@code state}, so any replica can finish it and a database reader cannot. Immutable.
 *
 * @param stateHash SHA-256 of the {@code state} sent to the provider, base64url
 * @param owner the user it was started for: the only one it can connect
 * @param provider the provider it was started with
 * @param verifierSealed the PKCE code verifier, sealed to this state and owner
 * @param returnTo where the browser goes afterwards (under {@code byos.consoleUrl})
 * @param expiresAt after this the callback is refused
 */
record PendingConnection(String stateHash, ByosOwner owner, String provider, String verifierSealed,
        Optional<URI> returnTo, Instant expiresAt) {

    PendingConnection {
        requireNonNull(stateHash, "stateHash");
        requireNonNull(owner, "owner");
        requireNonNull(provider, "provider");
        requireNonNull(verifierSealed, "verifierSealed");
        requireNonNull(returnTo, "returnTo");
        requireNonNull(expiresAt, "expiresAt");
    }

    static String verifierContext(ByosOwner owner, String provider, String stateHash) {
        return owner.context(provider, "verifier|" + stateHash);
    }

    String verifierContext() {
        return verifierContext(owner, provider, stateHash);
    }
}
