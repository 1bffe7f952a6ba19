package dev.gatehouse.server.tokens;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.http.Routes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;

/**
 * Publishes what a verifier needs: the public keys ({@code /.well-known/jwks.json}, every key that
 * still verifies, never a private or shared key) and issuer metadata
 * ({@code /.well-known/openid-configuration}) so OIDC discovery clients find the JWKS.
 */
public final class DiscoveryRoutes implements Routes {
    private static final String JWKS_PATH = "/.well-known/jwks.json";

    private final KeyRing keyRing;
    private final String metadata;

    public DiscoveryRoutes(KeyRing keyRing, TokensConfig tokens, List<String> signingAlgorithms) {
        this.keyRing = requireNonNull(keyRing, "keyRing");
        String issuer = tokens.issuer().toString();
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        this.metadata = new JsonObject()
                .put("issuer", issuer)
                .put("jwks_uri", base + JWKS_PATH)
                .put("response_types_supported", new JsonArray().add("none"))
                .put("subject_types_supported", new JsonArray().add("public"))
                .put("id_token_signing_alg_values_supported", new JsonArray(List.copyOf(signingAlgorithms)))
                .put("token_types_supported", new JsonArray().add("session").add("pat").add("sandbox").add("service"))
                .encode();
    }

    @Override
    public void register(Router router) {
        router.get(JWKS_PATH).handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/jwk-set+json")
                // Short: verifiers also refetch on an unknown kid, and rotation must show up quickly.
                .putHeader("Cache-Control", "public, max-age=60")
                .end(keyRing.publicJwkSet().toString(true)));
        router.get("/.well-known/openid-configuration").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "public, max-age=300")
                .end(metadata));
    }
}
