package dev.gatehouse.server.identity;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.tokens.MintRequest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The local (development-only) identity: a {@code session} token for a user, minted and signed by
 * Gatehouse itself instead of Keycloak. Claims: {@code sub} the user, {@code aud} the Gatehouse
 * issuer (so its own API accepts it), {@code org_id}, {@code groups}, {@code capabilities} (always
 * with {@value #LLM_USE}: every local session may use the LLM gateway, as DESIGN.md's default mapping
 * says); the minter adds {@code iss}, {@code iat}, {@code exp}, {@code jti} and {@code typ}.
 */
public final class LocalSession {
    /** The lifetime of a local session unless asked otherwise. */
    public static final Duration DEFAULT_TTL = Duration.ofHours(8);
    static final String LLM_USE = "llm:use";

    private LocalSession() {}

    /** @throws IllegalArgumentException when user or organization is blank, or ttl is not positive */
    public static MintRequest request(String user, String organization, List<String> groups,
            List<String> capabilities, Duration ttl, URI gatehouseIssuer) {
        requireNonNull(user, "user");
        requireNonNull(organization, "organization");
        requireNonNull(gatehouseIssuer, "gatehouseIssuer");
        if (organization.isBlank()) {
            throw new IllegalArgumentException("org: \"" + organization + "\" (expected: not blank)");
        }
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("org_id", organization);
        claims.put("groups", nonBlank(groups, "group"));
        List<String> granted = new ArrayList<>(nonBlank(capabilities, "capability"));
        if (!granted.contains(LLM_USE)) {
            granted.add(LLM_USE);
        }
        claims.put("capabilities", List.copyOf(granted));
        return new MintRequest(TokenType.SESSION, user, List.of(gatehouseIssuer.toString()), ttl, claims);
    }

    private static List<String> nonBlank(List<String> values, String name) {
        for (String value : requireNonNull(values, name)) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + ": \"" + value + "\" (expected: not blank)");
            }
        }
        return List.copyOf(new LinkedHashSet<>(values));
    }
}
