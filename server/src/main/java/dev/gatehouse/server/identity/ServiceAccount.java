package dev.gatehouse.server.identity;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.Set;

/**
 * The caller behind a verified Keycloak access token, as far as machine-to-machine calls care: who
 * (client and subject, in which realm) and which roles it holds. Immutable.
 *
 * @param issuer the token's {@code iss}, the realm
 * @param subject the token's {@code sub} (for a service account: its service-account user)
 * @param clientId the OAuth client: {@code client_id} (Keycloak service-account tokens), else {@code azp}
 * @param roles realm roles as {@code role}, client roles as {@code clientId/role} (the form of
 *     {@code identity.roleCapabilities})
 */
public record ServiceAccount(String issuer, String subject, Optional<String> clientId, Set<String> roles) {

    public ServiceAccount {
        requireNonNull(issuer, "issuer");
        requireNonNull(subject, "subject");
        requireNonNull(clientId, "clientId");
        roles = Set.copyOf(requireNonNull(roles, "roles"));
    }

    /** Whether the token carries {@code role} ({@code role} or {@code clientId/role}). */
    public boolean hasRole(String role) {
        return roles.contains(role);
    }
}
