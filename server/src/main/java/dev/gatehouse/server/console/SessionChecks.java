package dev.gatehouse.server.console;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.console.ConsoleSessions.DueCheck;
import dev.gatehouse.server.console.KeycloakSignIn.SignInException;
import dev.gatehouse.server.console.KeycloakSignIn.SignedIn;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A console session as it stands now: a Keycloak session is checked against Keycloak every
 * {@link ConsoleSessions#CHECK_INTERVAL} with its refresh token, so a user disabled, a session ended
 * or a role removed in Keycloak ends or narrows the console session within minutes, not at the end of
 * {@code console.sessionTtl}. While Keycloak cannot be reached the session goes on as it was (and is
 * checked again at the next interval). Blocking: call off the event loop.
 */
final class SessionChecks {
    private static final Logger log = LoggerFactory.getLogger(SessionChecks.class);

    private final ConsoleSessions sessions;
    private final KeycloakSignIn keycloak;

    SessionChecks(ConsoleSessions sessions, KeycloakSignIn keycloak) {
        this.sessions = requireNonNull(sessions, "sessions");
        this.keycloak = requireNonNull(keycloak, "keycloak");
    }

    /** The live session of {@code id}, checked first when its check is due; empty when there is none (any more). */
    Optional<ConsoleSession> current(String id) {
        Optional<ConsoleSession> found = sessions.find(id);
        if (found.isEmpty() || !found.get().checkDue()) {
            return found;
        }
        Optional<DueCheck> due = sessions.claimCheck(id);
        if (due.isEmpty()) {
            return found;
        }
        try {
            SignedIn now = keycloak.refresh(due.get().issuer(), due.get().refreshToken());
            sessions.checked(id, now.principal(), now.displayName(), now.refreshToken().orElse(due.get().refreshToken()));
            return sessions.find(id);
        } catch (SignInException e) {
            if (e.code().equals("keycloak_unavailable")) {
                log.atWarn().setCause(e.getCause()).log("console session not checked: Keycloak did not answer; it goes on");
                return found;
            }
            log.atInfo().addKeyValue("subject", found.get().principal().subject())
                    .addKeyValue("issuer", found.get().principal().issuer()).addKeyValue("reason", e.code())
                    .log("console session ended: Keycloak no longer vouches for it");
            sessions.end(id);
            return Optional.empty();
        }
    }
}
