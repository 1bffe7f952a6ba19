package dev.gatehouse.server.identity;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may call Gatehouse's auth API as a user: Keycloak issuers and the dev-only local identity.
 * Immutable; collections are copied.
 *
 * @param topology how issuers relate to organizations
 * @param local whether {@code gatehouse session issue} may mint local session tokens (dev only)
 * @param issuers the exact {@code iss} of every trusted Keycloak realm; empty: no Keycloak
 * @param audience when present, Keycloak tokens must carry it in {@code aud} or {@code azp}
 * @param roleCapabilities Keycloak role ({@code role} for realm roles, {@code clientId/role} for
 *     client roles) to the Gatehouse capabilities it grants; empty (not set):
 *     {@link #DEFAULT_ROLE_CAPABILITIES} apply ({@link #effectiveRoleCapabilities()})
 * @param jwksRefreshMinInterval the least time between two JWKS fetches triggered by unknown {@code kid}s
 * @param organizations Keycloak issuer to the one organization its tokens may name; an issuer not in
 *     it may name any organization in topology per-organization (production refuses that)
 */
public record IdentityConfig(
        Topology topology,
        boolean local,
        List<URI> issuers,
        Optional<String> audience,
        Map<String, Set<String>> roleCapabilities,
        Duration jwksRefreshMinInterval,
        Map<URI, String> organizations) {

    /**
     * DESIGN.md's default mapping, in force while {@code identity.roleCapabilities} is not set: realm
     * role {@code gatehouse-user} may use the LLM gateway, {@code org-admin} administers its own
     * organization's sandboxes, {@code gatehouse-admin} operates Gatehouse ({@code gatehouse:admin}).
     */
    public static final Map<String, Set<String>> DEFAULT_ROLE_CAPABILITIES = Map.of(
            "gatehouse-user", Set.of("llm:use"),
            "org-admin", Set.of("org:admin"),
            "gatehouse-admin", Set.of("gatehouse:admin"));
    public static final Duration MIN_JWKS_REFRESH_INTERVAL = Duration.ofSeconds(1);
    public static final Duration MAX_JWKS_REFRESH_INTERVAL = Duration.ofMinutes(5);
    /** Role names and capabilities: no whitespace, none of {@code ; = ,} (the separators of the text form). */
    private static final Pattern NAME = Pattern.compile("[^\\s;=,]+");
    private static final Pattern REALM_PATH = Pattern.compile(".*/realms/[^/]+");

    public IdentityConfig {
        requireNonNull(topology, "topology");
        requireNonNull(audience, "audience");
        requireNonNull(jwksRefreshMinInterval, "jwksRefreshMinInterval");
        issuers = List.copyOf(requireNonNull(issuers, "issuers"));
        roleCapabilities = copy(requireNonNull(roleCapabilities, "roleCapabilities"));
        organizations = copyOrganizations(requireNonNull(organizations, "organizations"));
        checkIssuers(topology, issuers);
        if (audience.isPresent() && audience.get().isBlank()) {
            throw new IllegalArgumentException("identity.keycloak.audience: \"" + audience.get()
                    + "\" (expected: not blank, or not set)");
        }
        if (jwksRefreshMinInterval.compareTo(MIN_JWKS_REFRESH_INTERVAL) < 0
                || jwksRefreshMinInterval.compareTo(MAX_JWKS_REFRESH_INTERVAL) > 0) {
            throw new IllegalArgumentException("identity.keycloak.jwksRefreshMinInterval: " + jwksRefreshMinInterval
                    + " (expected: " + MIN_JWKS_REFRESH_INTERVAL + ".." + MAX_JWKS_REFRESH_INTERVAL + ")");
        }
    }

    /** The organization {@code issuer} is bound to: by {@link #organizations()}, else empty. */
    public Optional<String> organizationOf(URI issuer) {
        return Optional.ofNullable(organizations.get(issuer));
    }

    /** The realm name of a Keycloak issuer URL: the segment after its last {@code /realms/}, if any. */
    public static Optional<String> realmOf(URI issuer) {
        String path = issuer.getPath();
        if (path == null || !REALM_PATH.matcher(path).matches()) {
            return Optional.empty();
        }
        return Optional.of(path.substring(path.lastIndexOf('/') + 1));
    }

    private static void checkIssuers(Topology topology, List<URI> issuers) {
        Set<URI> seen = new HashSet<>();
        for (int i = 0; i < issuers.size(); i++) {
            URI issuer = issuers.get(i);
            String label = "identity.keycloak.issuers[" + i + "]: \"" + issuer + "\"";
            if (!seen.add(issuer)) {
                throw new IllegalArgumentException(label + " (expected: each issuer once)");
            }
            if (issuer.getQuery() != null || issuer.getFragment() != null) {
                throw new IllegalArgumentException(label + " (expected: no query or fragment)");
            }
            if (topology == Topology.SHARED_SOVEREIGN && realmOf(issuer).isEmpty()) {
                throw new IllegalArgumentException(label
                        + " (expected: a Keycloak realm URL ending in /realms/<organization> for topology shared-sovereign)");
            }
        }
    }

    private static Map<URI, String> copyOrganizations(Map<URI, String> map) {
        Map<URI, String> copy = new LinkedHashMap<>();
        map.forEach((issuer, organization) -> {
            requireNonNull(issuer, "organizations issuer");
            if (organization == null || !NAME.matcher(organization).matches()) {
                throw new IllegalArgumentException("identity.keycloak.organizations: \"" + issuer + "\" -> \""
                        + organization + "\" (expected: an organization id without whitespace, ';', '=' or ',')");
            }
            copy.put(issuer, organization);
        });
        return Collections.unmodifiableMap(copy);
    }

    /** The configured mapping, or {@link #DEFAULT_ROLE_CAPABILITIES} when none is configured. */
    public Map<String, Set<String>> effectiveRoleCapabilities() {
        return roleCapabilities.isEmpty() ? DEFAULT_ROLE_CAPABILITIES : roleCapabilities;
    }

    private static Map<String, Set<String>> copy(Map<String, Set<String>> map) {
        Map<String, Set<String>> copy = new LinkedHashMap<>();
        map.forEach((role, capabilities) -> {
            if (role == null || !NAME.matcher(role).matches()) {
                throw new IllegalArgumentException("identity.roleCapabilities: role \"" + role
                        + "\" (expected: a Keycloak role name without whitespace, ';', '=' or ',')");
            }
            if (capabilities == null || capabilities.isEmpty()) {
                throw new IllegalArgumentException("identity.roleCapabilities." + role
                        + ": [] (expected: at least one capability)");
            }
            for (String capability : capabilities) {
                if (capability == null || !NAME.matcher(capability).matches()) {
                    throw new IllegalArgumentException("identity.roleCapabilities." + role + ": capability \""
                            + capability + "\" (expected: a name without whitespace, ';', '=' or ',')");
                }
            }
            copy.put(role, Collections.unmodifiableSet(new LinkedHashSet<>(capabilities)));
        });
        return Collections.unmodifiableMap(copy);
    }
}
