package dev.gatehouse.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HS256 secret shared with NewAPI may vouch for sandbox tokens only: whoever holds it must not
 * be able to act as a user, a PAT or a service anywhere in Gatehouse's API.
 */
class Hs256InteropSecretTest {
    private static final String SHARED_SECRET = "newapi-shared-secret-0123456789abcdef";
    private static final String ADMIN_SECRET = "admin-secret-0123456789abcdef0123456789";

    @TempDir
    static Path dataDir;

    static Gatehouse gatehouse;

    @BeforeAll
    static void start() {
        gatehouse = Gatehouse.start(TestGatehouse.config(dataDir, Map.of(
                "NEWAPI_TOKEN_SIGNING_KEY", SHARED_SECRET,
                "NEWAPI_ADMIN_SECRET", ADMIN_SECRET)));
    }

    @AfterAll
    static void stop() {
        gatehouse.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"session", "pat", "service"})
    void tokenForgedWithTheSharedSecret_isRefusedByEveryApi(String type) throws Exception {
        String forged = forge(type);

        HttpResponse<String> session = TestGatehouse.get(gatehouse.localUrl().resolve("/auth/session"),
                "Authorization", "Bearer " + forged);
        HttpResponse<String> pat = TestGatehouse.send(HttpRequest.newBuilder(gatehouse.localUrl().resolve("/auth/pat"))
                .header("Authorization", "Bearer " + forged).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\",\"audience\":\"gateway\"}")).build());
        HttpResponse<String> introspected = TestGatehouse.send(HttpRequest.newBuilder(
                        gatehouse.localUrl().resolve("/oauth/introspect"))
                .header("Authorization", "Bearer " + ADMIN_SECRET)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + forged, StandardCharsets.US_ASCII)).build());

        assertThat(session.statusCode()).as(session.body()).isEqualTo(401);
        assertThat(new JsonObject(session.body()).getString("code")).isIn("unsupported_algorithm", "wrong_token_type");
        assertThat(pat.statusCode()).as(pat.body()).isEqualTo(401);
        assertThat(introspected.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(introspected.body()).getBoolean("active")).isFalse();
    }

    private static String forge(String type) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("hs256")
                .type(JOSEObjectType.JWT).build(), JWTClaimsSet.parse(Map.of(
                        "iss", TestGatehouse.ISSUER, "sub", "victim", "aud", List.of(TestGatehouse.ISSUER),
                        "typ", type, "org_id", "globex", "capabilities", List.of("admin"),
                        "jti", "forged-" + type, "iat", now, "exp", now + 600)));
        jwt.sign(new MACSigner(SHARED_SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }
}
