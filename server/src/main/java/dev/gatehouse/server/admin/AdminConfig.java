package dev.gatehouse.server.admin;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.secrets.Secret;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The admin API ({@code /admin/*}: audit log, sandbox-token bridge, usage). Callers authenticate
 * with the static secret or as a Keycloak service account.
 *
 * @param secret the bearer secret admins present, at least {@link #MIN_SECRET_BYTES} bytes
 * @param serviceAccounts which Keycloak access tokens are accepted, and with which roles
 */
public record AdminConfig(Optional<Secret> secret, ServiceAccounts serviceAccounts) {

    public static final int MIN_SECRET_BYTES = 32;

    public AdminConfig {
        requireNonNull(secret, "secret");
        requireNonNull(serviceAccounts, "serviceAccounts");
        secret.ifPresent(value -> {
            if (value.length() < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("admin.secret: " + value.length()
                        + " bytes (expected: >= " + MIN_SECRET_BYTES + " bytes)");
            }
        });
    }

    /** The static secret only; no service accounts. */
    public AdminConfig(Optional<Secret> secret) {
        this(secret, ServiceAccounts.NONE);
    }

    /** Whether anyone at all can use the admin API; when not, it answers 503. */
    public boolean enabled() {
        return secret.isPresent() || !serviceAccounts.issuers().isEmpty();
    }

    /**
     * Keycloak access tokens (client-credentials grant of a confidential client with a service
     * account) accepted by the admin API. Roles are written like {@code identity.roleCapabilities}:
     * {@code role} for a realm role, {@code clientId/role} for a client role.
     *
     * @param issuers the exact {@code iss} of every realm whose tokens are accepted; empty: none
     * @param minterRole the role that may mint sandbox tokens ({@code POST /admin/tokens/sandbox})
     * @param adminRole the role that may use every admin endpoint (the bridge included)
     * @param actingUserHeader the identity-propagation header: the user a service account acts for,
     *     recorded in the audit log
     */
    public record ServiceAccounts(List<URI> issuers, String minterRole, String adminRole, String actingUserHeader) {
        public static final String DEFAULT_MINTER_ROLE = "sandbox-token-minter";
        public static final String DEFAULT_ADMIN_ROLE = "gatehouse-admin";
        public static final String DEFAULT_ACTING_USER_HEADER = "X-Gatehouse-User";
        private static final Pattern ROLE = Pattern.compile("[^\\s;=,]+");
        private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
        /** No service accounts accepted. */
        public static final ServiceAccounts NONE =
                new ServiceAccounts(List.of(), DEFAULT_MINTER_ROLE, DEFAULT_ADMIN_ROLE, DEFAULT_ACTING_USER_HEADER);

        public ServiceAccounts {
            issuers = List.copyOf(requireNonNull(issuers, "issuers"));
            requireNonNull(minterRole, "minterRole");
            requireNonNull(adminRole, "adminRole");
            requireNonNull(actingUserHeader, "actingUserHeader");
            Set<URI> seen = new HashSet<>();
            for (int i = 0; i < issuers.size(); i++) {
                URI issuer = issuers.get(i);
                String label = "admin.serviceAccounts.issuers[" + i + "]: \"" + issuer + "\"";
                if (!seen.add(issuer)) {
                    throw new IllegalArgumentException(label + " (expected: each issuer once)");
                }
                if (issuer.getQuery() != null || issuer.getFragment() != null) {
                    throw new IllegalArgumentException(label + " (expected: no query or fragment)");
                }
            }
            checkRole("admin.serviceAccounts.minterRole", minterRole);
            checkRole("admin.serviceAccounts.adminRole", adminRole);
            if (!HEADER_NAME.matcher(actingUserHeader).matches() || actingUserHeader.equalsIgnoreCase("Authorization")) {
                throw new IllegalArgumentException("admin.serviceAccounts.actingUserHeader: \""
                        + actingUserHeader.replaceAll("\\p{Cntrl}", "?")
                        + "\" (expected: an HTTP header name other than Authorization, e.g. X-Gatehouse-User)");
            }
        }

        private static void checkRole(String key, String role) {
            if (!ROLE.matcher(role).matches()) {
                throw new IllegalArgumentException(key + ": \"" + role.replaceAll("\\p{Cntrl}", "?")
                        + "\" (expected: a realm role or clientId/role, without whitespace, ';', '=' or ',')");
            }
        }
    }
}
