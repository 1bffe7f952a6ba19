package dev.gatehouse.server.console;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.Claims;
import java.time.Instant;

/**
 * A signed-in console, as found by its cookie: who ({@code principal}, shown as {@code displayName}), how they signed in, the CSRF
 * token its state-changing calls must carry, when it ends at the latest, and whether a check against
 * Keycloak was due when it was read ({@link SessionChecks}).
 */
record ConsoleSession(Claims principal, String displayName, SignInMethod method, String csrfToken, Instant expiresAt,
        boolean checkDue) {

    /** How a console session was opened. */
    enum SignInMethod {
        LOCAL, KEYCLOAK;

        String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    ConsoleSession {
        requireNonNull(principal, "principal");
        requireNonNull(displayName, "displayName");
        requireNonNull(method, "method");
        requireNonNull(csrfToken, "csrfToken");
        requireNonNull(expiresAt, "expiresAt");
    }
}
