package dev.gatehouse.server.console;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.secrets.Secret;
import java.time.Duration;
import java.util.Optional;

/**
 * The web console's sessions and its Keycloak client.
 *
 * @param sessionTtl how long a console session lasts after sign-in, however active
 * @param idleTimeout a session unused this long ends
 * @param keycloakClientId the client the console signs users in with, in every realm of
 *     {@code identity.keycloak.issuers} (the realm templates' public PKCE client {@code gatehouse})
 * @param keycloakClientSecret that client's secret when it is confidential; empty for a public client
 */
public record ConsoleConfig(Duration sessionTtl, Duration idleTimeout, String keycloakClientId,
        Optional<Secret> keycloakClientSecret) {

    public ConsoleConfig {
        requireNonNull(sessionTtl, "sessionTtl");
        requireNonNull(idleTimeout, "idleTimeout");
        requireNonNull(keycloakClientId, "keycloakClientId");
        requireNonNull(keycloakClientSecret, "keycloakClientSecret");
        if (sessionTtl.isNegative() || sessionTtl.isZero()) {
            throw new IllegalArgumentException("console.sessionTtl: " + sessionTtl + " (expected: positive)");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero() || idleTimeout.compareTo(sessionTtl) > 0) {
            throw new IllegalArgumentException("console.idleTimeout: " + idleTimeout
                    + " (expected: positive, at most console.sessionTtl " + sessionTtl + ")");
        }
        if (keycloakClientId.isBlank()) {
            throw new IllegalArgumentException("console.keycloak.clientId: \"\" (expected: the console's client id)");
        }
    }
}
