package dev.gatehouse.server.byos;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One LLM provider whose subscription a user may bring (an entry of {@code byos.providers}). Every
 * value is the operator's: no client id of anyone else's is shipped. Immutable.
 *
 * @param name the provider's name in the API's paths, e.g. {@code claude-code}
 * @param oauth the OAuth 2.0 client Gatehouse connects subscriptions with; empty: only a pasted key
 *     ({@code PUT …/key}) connects this provider
 * @param sandboxVariable the environment variable a BYOS sandbox gets the credential in, e.g. {@code ANTHROPIC_API_KEY}
 * @param apiCidrs the address ranges of the provider's API a BYOS sandbox may reach (its NetworkPolicy)
 * @param apiPort the port of the provider's API
 */
public record ByosProvider(String name, Optional<OAuth> oauth, String sandboxVariable, List<String> apiCidrs,
        int apiPort) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern VARIABLE = Pattern.compile("[A-Z_][A-Z0-9_]{0,127}");
    /** What a sandbox's environment holds besides the credential: the credential must not replace any of it. */
    private static final Set<String> RESERVED = Set.of("PATH", "HOME", "TMPDIR", "HOST", "PORT", "LLM_DEFAULT_MODEL",
            "LLM_SUBSCRIPTION_VARIABLE", "LLM_GATEWAY_URL", "LLM_GATEWAY_TOKEN", "LLM_GATEWAY_TOKEN_FILE",
            "OPENAI_BASE_URL", "OPENAI_API_BASE", "NEWAPI_BASE_URL", "NEWAPI_KEY");

    public ByosProvider {
        requireNonNull(name, "name");
        requireNonNull(oauth, "oauth");
        requireNonNull(sandboxVariable, "sandboxVariable");
        apiCidrs = List.copyOf(requireNonNull(apiCidrs, "apiCidrs"));
        if (!isName(name)) {
            throw new IllegalArgumentException("name: \"" + name
                    + "\" (expected: 1..63 lower-case letters, digits or '-', starting and ending with a letter or digit)");
        }
        if (!VARIABLE.matcher(sandboxVariable).matches() || RESERVED.contains(sandboxVariable)) {
            throw new IllegalArgumentException("sandboxVariable: \"" + sandboxVariable
                    + "\" (expected: an environment variable name in upper case, e.g. ANTHROPIC_API_KEY, other than "
                    + String.join(", ", new TreeSet<>(RESERVED)) + ")");
        }
        for (int i = 0; i < apiCidrs.size(); i++) {
            Optional<String> problem = ApiRange.problem(apiCidrs.get(i));
            if (problem.isPresent()) {
                throw new IllegalArgumentException("apiCidrs[" + i + "]: \"" + apiCidrs.get(i) + "\" (" + problem.get() + ")");
            }
        }
        if (apiPort < 1 || apiPort > 65535) {
            throw new IllegalArgumentException("apiPort: " + apiPort + " (expected: 1..65535)");
        }
    }

    /** Whether {@code text} can name a provider (whether or not one is configured). */
    public static boolean isName(String text) {
        return NAME.matcher(text).matches();
    }

    /**
     * The OAuth 2.0 authorization-code client (PKCE S256) of a provider.
     *
     * @param authorizeUrl the authorization endpoint
     * @param tokenUrl the token endpoint
     * @param revocationUrl the RFC 7009 revocation endpoint, if the provider has one
     * @param clientId the client id the provider issued to this deployment
     * @param clientSecretEnv environment variable holding the client secret, for a confidential client
     * @param clientSecretFile file holding the client secret (surrounding whitespace stripped); at most one of the two
     * @param scopes the scopes asked for
     * @param redirectUri this Gatehouse's {@code /api/v1/sandbox/byos/<name>/callback}, as registered with the provider
     */
    public record OAuth(URI authorizeUrl, URI tokenUrl, Optional<URI> revocationUrl, String clientId,
            Optional<String> clientSecretEnv, Optional<Path> clientSecretFile, List<String> scopes, URI redirectUri) {

        public OAuth {
            requireNonNull(authorizeUrl, "authorizeUrl");
            requireNonNull(tokenUrl, "tokenUrl");
            requireNonNull(revocationUrl, "revocationUrl");
            requireNonNull(clientId, "clientId");
            requireNonNull(clientSecretEnv, "clientSecretEnv");
            requireNonNull(clientSecretFile, "clientSecretFile");
            scopes = List.copyOf(requireNonNull(scopes, "scopes"));
            requireNonNull(redirectUri, "redirectUri");
            httpUrl("authorizeUrl", authorizeUrl);
            httpUrl("tokenUrl", tokenUrl);
            revocationUrl.ifPresent(url -> httpUrl("revocationUrl", url));
            httpUrl("redirectUri", redirectUri);
            if (clientId.isBlank()) {
                throw new IllegalArgumentException("clientId: \"\" (expected: the client id the provider issued)");
            }
            if (clientSecretEnv.isPresent() && clientSecretFile.isPresent()) {
                throw new IllegalArgumentException("clientSecretEnv and clientSecretFile: both set (expected: at most one)");
            }
            for (int i = 0; i < scopes.size(); i++) {
                if (scopes.get(i).isBlank() || scopes.get(i).chars().anyMatch(Character::isWhitespace)) {
                    throw new IllegalArgumentException("scopes[" + i + "]: \"" + scopes.get(i)
                            + "\" (expected: a scope without spaces)");
                }
            }
        }

        private static void httpUrl(String field, URI url) {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null || url.getRawFragment() != null) {
                throw new IllegalArgumentException(field + ": \"" + url + "\" (expected: http or https URL without fragment)");
            }
        }
    }
}
