package dev.gatehouse.server.console;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.ClaimsException;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.JsonBody;
import dev.gatehouse.server.http.PeerAddresses;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The console's development-only local sign-in ({@code identity.local}): whoever is typed, with the
 * capabilities ticked. It proves nothing, so it is only for this machine: offered and accepted from a
 * loopback peer, from a page of this console's origin or of a loopback host.
 */
final class LocalSignIn {
    /** What a local session may be given: DESIGN.md's capability vocabulary. */
    static final Set<String> CAPABILITIES = Set.of("llm:use", "org:admin", "gatehouse:admin");
    static final String EXAMPLE = "{\"user\": \"alice\", \"organization\": \"acme\"}";
    private static final int MAX_NAME_CHARS = 200;
    private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

    private final boolean enabled;
    private final URI gatehouseIssuer;
    private final String origin;

    /** @param origin the console's own origin, from {@code server.publicUrl} */
    LocalSignIn(boolean enabled, URI gatehouseIssuer, String origin) {
        this.enabled = enabled;
        this.gatehouseIssuer = requireNonNull(gatehouseIssuer, "gatehouseIssuer");
        this.origin = requireNonNull(origin, "origin");
    }

    /** Whether the sign-in page should offer it to this request's browser. */
    boolean offeredTo(RoutingContext ctx) {
        return enabled && PeerAddresses.isLoopback(ctx.request());
    }

    /**
     * The principal a local sign-in request asks for.
     *
     * @throws ApiException 404 when local identity is off, 403 from another machine or site, 400 for a bad body
     */
    Claims principal(RoutingContext ctx, Instant now) {
        if (!enabled) {
            throw new ApiException(404, "local_sign_in_disabled",
                    "Local sign-in is off (identity.local: false): sign in with Keycloak.");
        }
        if (!PeerAddresses.isLoopback(ctx.request())) {
            throw new ApiException(403, "local_sign_in_remote", "Local sign-in is only for this machine (a loopback"
                    + " address): it proves nothing about who you are. Sign in with Keycloak.");
        }
        checkSameOrigin(ctx);
        JsonNode body = JsonBody.object(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes(),
                EXAMPLE, List.of("user", "organization", "capabilities"));
        String organization = name(body, "organization");
        try {
            return Claims.builder(TokenType.SESSION)
                    .issuer(gatehouseIssuer.toString())
                    .subject(name(body, "user"))
                    .audience(List.of(gatehouseIssuer.toString()))
                    .issuedAt(now)
                    .expiresAt(now.plusSeconds(1)) // the session's own lifetime replaces it when it opens
                    .tokenId(RandomSecrets.next())
                    .capabilities(capabilities(body))
                    .organizationClaimsFrom(new JWTClaimsSet.Builder().claim("org_id", organization).build())
                    .build();
        } catch (ClaimsException e) {
            throw ApiException.badRequest("invalid_identity", e.getMessage());
        }
    }

    /**
     * A login CSRF guard: a browser's request must come from this console's own origin, as
     * {@code server.publicUrl} names it, or from a page on a loopback host (the request itself comes
     * from this machine). A page of another site, even one whose name resolves to 127.0.0.1 (DNS
     * rebinding), sends its own {@code Origin}, which neither matches.
     */
    private void checkSameOrigin(RoutingContext ctx) {
        String requestOrigin = ctx.request().getHeader("Origin");
        if (requestOrigin != null && !requestOrigin.equals(origin) && !loopbackOrigin(requestOrigin)) {
            throw new ApiException(403, "cross_origin", "Origin: expected " + origin + " (server.publicUrl).");
        }
    }

    private static boolean loopbackOrigin(String value) {
        try {
            URI uri = new URI(value);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && LOOPBACK_HOSTS.contains(uri.getHost());
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static String name(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.isTextual() || node.asText().isBlank() || node.asText().length() > MAX_NAME_CHARS
                || node.asText().chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("invalid_" + field, field + ": expected 1.." + MAX_NAME_CHARS
                    + " characters without control characters, e.g. " + EXAMPLE + ".");
        }
        return node.asText().strip();
    }

    private static Set<String> capabilities(JsonNode body) {
        Set<String> granted = new LinkedHashSet<>(List.of("llm:use"));
        JsonNode node = body.get("capabilities");
        if (node == null || node.isNull()) {
            return granted;
        }
        if (!node.isArray()) {
            throw ApiException.badRequest("invalid_capabilities", "capabilities: expected an array of "
                    + CAPABILITIES.stream().sorted().toList() + ".");
        }
        List<String> unknown = new ArrayList<>();
        for (JsonNode item : node) {
            if (item.isTextual() && CAPABILITIES.contains(item.asText())) {
                granted.add(item.asText());
            } else {
                unknown.add(item.toString());
            }
        }
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest("invalid_capabilities", "capabilities: " + String.join(", ", unknown)
                    + " (expected only: " + CAPABILITIES.stream().sorted().toList() + ").");
        }
        return granted;
    }
}
