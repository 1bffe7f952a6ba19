package dev.gatehouse.server.console;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.ClaimsException;
import dev.gatehouse.sdk.claims.TokenType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * The principal of a console session as stored: the identity a sign-in established (issuer, subject,
 * user, organizations, groups, capabilities), read back as the {@code session} {@link Claims} the API's
 * handlers already understand, valid until the console session ends.
 */
final class Principals {
    private Principals() {}

    static String toJson(Claims claims, String displayName) {
        return new JsonObject()
                .put("display_name", displayName)
                .put("issuer", claims.issuer())
                .put("subject", claims.subject())
                .put("audience", new JsonArray(claims.audience()))
                .put("user", claims.user().orElse(null))
                .put("organization", claims.organization().orElse(null))
                .put("organizations", new JsonArray(List.copyOf(claims.organizations())))
                .put("groups", new JsonArray(List.copyOf(claims.groups())))
                .put("capabilities", new JsonArray(List.copyOf(claims.capabilities())))
                .encode();
    }

    /**
     * @param sessionId a public id of the console session (the claims' {@code jti})
     * @throws IllegalStateException when the stored principal no longer reads as claims
     */
    static Claims fromJson(String json, String sessionId, Instant openedAt, Instant expiresAt) {
        JsonObject principal = new JsonObject(json);
        JWTClaimsSet.Builder organizations = new JWTClaimsSet.Builder().claim("org_id", principal.getString("organization"));
        List<String> named = strings(principal.getJsonArray("organizations"));
        if (!named.isEmpty()) {
            organizations.claim("organization", named);
        }
        try {
            return Claims.builder(TokenType.SESSION)
                    .issuer(principal.getString("issuer"))
                    .subject(principal.getString("subject"))
                    .audience(strings(principal.getJsonArray("audience")))
                    .issuedAt(openedAt)
                    .expiresAt(expiresAt)
                    .tokenId(sessionId)
                    .user(principal.getString("user"))
                    .groups(strings(principal.getJsonArray("groups")))
                    .capabilities(strings(principal.getJsonArray("capabilities")))
                    .organizationClaimsFrom(organizations.build())
                    .build();
        } catch (ClaimsException e) {
            throw new IllegalStateException("a stored console principal does not read as claims: " + e.getMessage(), e);
        }
    }

    static String issuer(String json) {
        return new JsonObject(json).getString("issuer");
    }

    static String displayName(String json) {
        return new JsonObject(json).getString("display_name");
    }

    private static List<String> strings(JsonArray array) {
        return array == null ? List.of() : array.stream().map(String::valueOf).toList();
    }
}
