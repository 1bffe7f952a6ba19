package dev.gatehouse.server.pat;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.tokens.MintRequest;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Local sessions and HTTP calls for the personal access token tests. */
final class PatTestSupport {
    static final String ADMIN_SECRET = "admin-secret-for-tests-0123456789-abcdef";

    private PatTestSupport() {}

    /** A local session (typ=session, aud=[issuer]) signed by the gatehouse's own key ring. */
    static String session(Gatehouse gatehouse, GatehouseConfig config, String subject, String organizationOrNull,
            List<String> capabilities) {
        return session(gatehouse, config, Clock.systemUTC(), subject, organizationOrNull, capabilities);
    }

    static String session(Gatehouse gatehouse, GatehouseConfig config, Clock clock, String subject,
            String organizationOrNull, List<String> capabilities) {
        Map<String, Object> claims = new HashMap<>();
        claims.put("capabilities", capabilities);
        if (organizationOrNull != null) {
            claims.put("org_id", organizationOrNull);
        }
        return SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), clock)
                .mint(new MintRequest(TokenType.SESSION, subject, List.of(config.tokens().issuer().toString()),
                        Duration.ofHours(1), claims))
                .token();
    }

    /** A Gatehouse service token (typ=service, aud=[issuer]), as a resource server would hold. */
    static String serviceToken(Gatehouse gatehouse, GatehouseConfig config, String subject) {
        return SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), Clock.systemUTC())
                .mint(new MintRequest(TokenType.SERVICE, subject, List.of(config.tokens().issuer().toString()),
                        Duration.ofHours(1), Map.of()))
                .token();
    }

    static HttpResponse<String> createPat(Gatehouse gatehouse, String bearer, String json) {
        return TestGatehouse.send(HttpRequest.newBuilder(url(gatehouse, "/auth/pat"))
                .header("Authorization", "Bearer " + bearer)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    /** Creates a PAT that must succeed; its response body. */
    static JsonObject pat(Gatehouse gatehouse, String session, String json) {
        HttpResponse<String> response = createPat(gatehouse, session, json);
        if (response.statusCode() != 201) {
            throw new AssertionError("creating a PAT: " + response.statusCode() + " " + response.body());
        }
        return new JsonObject(response.body());
    }

    static HttpResponse<String> listPats(Gatehouse gatehouse, String bearer) {
        return TestGatehouse.get(url(gatehouse, "/auth/pats"), "Authorization", "Bearer " + bearer);
    }

    static HttpResponse<String> deletePat(Gatehouse gatehouse, String bearer, String id) {
        return TestGatehouse.send(HttpRequest.newBuilder(url(gatehouse, "/auth/pats/" + id))
                .header("Authorization", "Bearer " + bearer)
                .DELETE()
                .build());
    }

    static HttpResponse<String> form(Gatehouse gatehouse, String path, String bearerOrNull, Map<String, String> form) {
        StringBuilder body = new StringBuilder();
        form.forEach((name, value) -> body.append(body.isEmpty() ? "" : "&")
                .append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        HttpRequest.Builder request = HttpRequest.newBuilder(url(gatehouse, path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (bearerOrNull != null) {
            request.header("Authorization", "Bearer " + bearerOrNull);
        }
        return TestGatehouse.send(request.build());
    }

    static JsonObject introspect(Gatehouse gatehouse, String caller, String token) {
        HttpResponse<String> response = form(gatehouse, "/oauth/introspect", caller, Map.of("token", token));
        if (response.statusCode() != 200) {
            throw new AssertionError("introspection: " + response.statusCode() + " " + response.body());
        }
        return new JsonObject(response.body());
    }

    static HttpResponse<String> audit(Gatehouse gatehouse, String query) {
        return TestGatehouse.get(url(gatehouse, "/admin/audit" + query), "Authorization", "Bearer " + ADMIN_SECRET);
    }

    static URI url(Gatehouse gatehouse, String path) {
        return gatehouse.localUrl().resolve(path);
    }

    static String code(HttpResponse<String> response) {
        return new JsonObject(response.body()).getString("code");
    }
}
