package dev.gatehouse.server.identity;

import static dev.gatehouse.server.http.Shown.quote;
import static dev.gatehouse.server.http.Shown.quoteAll;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.ClaimsException;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.RejectionReason;
import dev.gatehouse.sdk.verify.TokenRejectedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps the verified claims of a Keycloak access token to a Gatehouse {@link Claims} of type
 * {@code session}: the organization by the SDK's rules ({@code org_id}, legacy {@code org},
 * Keycloak {@code organization}); {@code groups} as they are; capabilities from the realm roles
 * ({@code realm_access.roles}, looked up as {@code role}) and client roles
 * ({@code resource_access.<clientId>.roles}, looked up as {@code clientId/role}) through the
 * configured role map. A session without exactly one organization is refused, with a realm
 * (shared-sovereign topology) the organization must be that realm, and with an organization bound
 * to the issuer ({@code identity.keycloak.organizations}) it must be that one. Immutable and thread-safe.
 */
final class KeycloakClaimsMapper {
    private final Map<String, Set<String>> roleCapabilities;
    private final Optional<String> realm;
    private final Optional<String> boundOrganization;
    private final String issuer;

    /**
     * @param realm the realm the organization must equal (shared-sovereign), or empty
     * @param boundOrganization the organization {@code identity.keycloak.organizations} binds the
     *     issuer to, or empty
     * @param issuer the issuer, named in refusals
     */
    KeycloakClaimsMapper(Map<String, Set<String>> roleCapabilities, Optional<String> realm,
            Optional<String> boundOrganization, String issuer) {
        this.roleCapabilities = Map.copyOf(roleCapabilities);
        this.realm = realm;
        this.boundOrganization = boundOrganization;
        this.issuer = issuer;
    }

    Claims map(JWTClaimsSet set) throws TokenRejectedException {
        Claims claims;
        try {
            claims = Claims.builder(TokenType.SESSION)
                    .issuer(set.getIssuer())
                    .subject(set.getSubject())
                    .audience(set.getAudience())
                    .issuedAt(set.getIssueTime() == null ? null : set.getIssueTime().toInstant())
                    .expiresAt(set.getExpirationTime() == null ? null : set.getExpirationTime().toInstant())
                    .tokenId(set.getJWTID())
                    .groups(strings(set.getClaim("groups"), "groups"))
                    .capabilities(capabilities(set))
                    .organizationClaimsFrom(set)
                    .build();
        } catch (ClaimsException e) {
            throw new TokenRejectedException(e.reason(), e.getMessage(), e);
        }
        String organization = claims.organization().orElseThrow(() -> noOrganization(claims));
        if (realm.isPresent() && !realm.get().equals(organization)) {
            throw new TokenRejectedException(RejectionReason.ORGANIZATION_CONFLICT, "organization " + quote(organization)
                    + " is not realm " + quote(realm.get()) + " of the issuer (expected: equal in topology"
                    + " shared-sovereign, one realm per organization)");
        }
        if (boundOrganization.isPresent() && !boundOrganization.get().equals(organization)) {
            throw new TokenRejectedException(RejectionReason.ORGANIZATION_CONFLICT, "organization " + quote(organization)
                    + " is not " + quote(boundOrganization.get()) + ", the organization identity.keycloak.organizations"
                    + " binds issuer " + quote(issuer) + " to (expected: equal; an issuer speaks for its own"
                    + " organization only)");
        }
        return claims;
    }

    private Set<String> capabilities(JWTClaimsSet set) throws TokenRejectedException {
        Set<String> capabilities = new TreeSet<>();
        for (String role : roles(set.getClaim("realm_access"), "realm_access")) {
            capabilities.addAll(roleCapabilities.getOrDefault(role, Set.of()));
        }
        Object resourceAccess = set.getClaim("resource_access");
        if (resourceAccess == null) {
            return capabilities;
        }
        if (!(resourceAccess instanceof Map<?, ?> clients)) {
            throw malformed("resource_access: not an object (expected: {\"<clientId>\": {\"roles\": [...]}})");
        }
        for (Map.Entry<?, ?> client : clients.entrySet()) {
            String prefix = client.getKey() + "/";
            for (String role : roles(client.getValue(), "resource_access." + client.getKey())) {
                capabilities.addAll(roleCapabilities.getOrDefault(prefix + role, Set.of()));
            }
        }
        return capabilities;
    }

    /** The {@code roles} array of a {@code {"roles": [...]}} object; empty when absent. */
    private static List<String> roles(Object access, String name) throws TokenRejectedException {
        if (access == null) {
            return List.of();
        }
        if (!(access instanceof Map<?, ?> map)) {
            throw malformed(name + ": not an object (expected: {\"roles\": [...]})");
        }
        List<String> roles = strings(map.get("roles"), name + ".roles");
        return roles == null ? List.of() : roles;
    }

    private static List<String> strings(Object value, String name) throws TokenRejectedException {
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list)) {
            throw malformed(name + ": not an array (expected: string array)");
        }
        List<String> strings = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s) || s.isEmpty()) {
                throw malformed(name + "[" + i + "]: " + quote(list.get(i)) + " (expected: non-empty string)");
            }
            strings.add(s);
        }
        return strings;
    }

    private static TokenRejectedException noOrganization(Claims claims) {
        if (claims.organizations().size() > 1) {
            return new TokenRejectedException(RejectionReason.MISSING_CLAIM, "organization: "
                    + quoteAll(claims.organizations()) + " names several (expected: exactly one, or org_id)");
        }
        return new TokenRejectedException(RejectionReason.MISSING_CLAIM, "org_id: missing (expected: the user's"
                + " organization, from the org_id mapper of the Gatehouse realm templates, or org or organization)");
    }

    private static TokenRejectedException malformed(String message) {
        return new TokenRejectedException(RejectionReason.MISSING_CLAIM, message);
    }
}
