package dev.gatehouse.server.http;

import static dev.gatehouse.server.TestGatehouse.ISSUER;
import static dev.gatehouse.server.TestGatehouse.get;
import static dev.gatehouse.server.TestGatehouse.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.testing.Await;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** The HTTP base against a real Gatehouse on a free port with its embedded defaults. */
class GatehouseHttpTest {
    @TempDir
    static Path dataDir;

    static Gatehouse gatehouse;
    static ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void start() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        gatehouse = Gatehouse.start(TestGatehouse.config(dataDir, Map.of("GATEHOUSE_SERVER_MAX_BODY_BYTES", "4096")));
    }

    @AfterAll
    static void stop() {
        gatehouse.close();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    }

    @Test
    void jwks_publishesTheActivePublicKeyOnly() {
        HttpResponse<String> response = get(url("/.well-known/jwks.json"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/jwk-set+json");
        JsonObject jwks = new JsonObject(response.body());
        assertThat(jwks.getJsonArray("keys")).hasSize(1);
        JsonObject key = jwks.getJsonArray("keys").getJsonObject(0);
        assertThat(key.getString("kid")).isEqualTo(gatehouse.keyRing().activeSigningKey().getKeyID());
        assertThat(key.getString("kty")).isEqualTo("EC");
        assertThat(key.getString("alg")).isEqualTo("ES256");
        assertThat(key.containsKey("d")).as("private part").isFalse();
    }

    @Test
    void openidConfiguration_pointsAtTheJwks() {
        JsonObject metadata = new JsonObject(get(url("/.well-known/openid-configuration")).body());

        assertThat(metadata.getString("issuer")).isEqualTo(ISSUER);
        assertThat(metadata.getString("jwks_uri")).isEqualTo(ISSUER + "/.well-known/jwks.json");
    }

    @Test
    void healthAndReadiness() {
        assertThat(get(url("/healthz")).statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get(url("/readyz"));
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(ready.body()).getJsonObject("checks").getMap())
                .containsEntry("store", "ready")
                .containsEntry("signing-keys", "ready");
    }

    @Test
    void metrics_onTheManagementPort_arePrometheusText() {
        get(url("/healthz"));
        HttpResponse<String> response = get(managementUrl("/metrics"));

        assertThat(gatehouse.managementPort()).isNotEqualTo(gatehouse.port());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body()).contains("vertx_http_server_requests_total").contains("jvm_memory_used_bytes");
    }

    @Test
    void metrics_tagAMethodVertxDoesNotName_asOther_soCallersCannotAddSeriesWithoutBound() {
        for (String method : List.of("BREW1", "BREW2")) {
            send(HttpRequest.newBuilder(url("/no-such-path")).method(method, HttpRequest.BodyPublishers.noBody()).build());
        }

        // A response's metrics are taken once it is written, which may be just after the client read it.
        Await.until("both requests measured", Duration.ofSeconds(5), () -> get(managementUrl("/metrics")).body()
                .contains("vertx_http_server_requests_total{code=\"404\",method=\"OTHER\"} 2.0"));
        assertThat(get(managementUrl("/metrics")).body()).doesNotContain("BREW");
    }

    @Test
    void metrics_onTheApiPort_isAProblemJson404LikeAnyUnknownPath() {
        HttpResponse<String> response = get(url("/metrics"));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(ProblemResponses.CONTENT_TYPE);
        assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("not_found");
        assertThat(response.body()).doesNotContain("jvm_memory_used_bytes");
    }

    @Test
    void managementPort_answersHealthAndReadinessToo_andNothingElse() {
        assertThat(get(managementUrl("/healthz")).statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get(managementUrl("/readyz"));
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(ready.body()).getJsonObject("checks").getMap())
                .isEqualTo(new JsonObject(get(url("/readyz")).body()).getJsonObject("checks").getMap());

        HttpResponse<String> api = get(managementUrl("/.well-known/jwks.json"));
        assertThat(api.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(api.body()).getString("code")).isEqualTo("not_found");
    }

    @Test
    void aManagementPortInUse_failsTheStart_namingTheKeyAndTheAddress() {
        int taken = gatehouse.managementPort();

        assertThatThrownBy(() -> Gatehouse.start(TestGatehouse.config(dataDir.resolve("second"),
                        Map.of("GATEHOUSE_SERVER_MANAGEMENT_PORT", String.valueOf(taken)))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("server.managementPort: cannot listen on 127.0.0.1:" + taken + " (");
        assertThat(get(managementUrl("/healthz")).statusCode()).as("the first one serves on").isEqualTo(200);
    }

    @Test
    void theStartLine_namesBothPorts() {
        ILoggingEvent listening = logs.list.stream()
                .filter(event -> event.getFormattedMessage().startsWith("Gatehouse is listening")).findFirst().orElseThrow();

        assertThat(listening.getFormattedMessage()).isEqualTo("Gatehouse is listening on http://127.0.0.1:"
                + gatehouse.port() + ", management (metrics, probes) on http://127.0.0.1:" + gatehouse.managementPort());
        assertThat(listening.getKeyValuePairs()).anySatisfy(pair -> {
            assertThat(pair.key).isEqualTo("managementPort");
            assertThat(pair.value).isEqualTo(gatehouse.managementPort());
        });
    }

    @Test
    void aClientAskingToUpgradeToH2c_getsTheWholeResponseOverHttp1_onEitherPort() throws Exception {
        try (java.net.http.HttpClient http2First = java.net.http.HttpClient.newHttpClient()) { // offers h2c
            HttpResponse<String> metrics = http2First.send(
                    java.net.http.HttpRequest.newBuilder(managementUrl("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> jwks = http2First.send(
                    java.net.http.HttpRequest.newBuilder(url("/.well-known/jwks.json")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);
            assertThat(metrics.body()).contains("jvm_memory_used_bytes");
            assertThat(jwks.statusCode()).isEqualTo(200);
            assertThat(jwks.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);
        }
    }

    @Test
    void session_validToken_returnsTheNormalizedPrincipal() throws Exception {
        String token = sign(claims(b -> b.claim("org_id", "acme").claim("groups", List.of("dev"))));

        HttpResponse<String> response = get(url("/auth/session"), "Authorization", "Bearer " + token);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonObject principal = new JsonObject(response.body());
        assertThat(principal.getString("subject")).isEqualTo("alice");
        assertThat(principal.getString("organization")).isEqualTo("acme");
        assertThat(principal.getString("type")).isEqualTo("session");
        assertThat(principal.getJsonArray("groups").getList()).containsExactly("dev");
        assertThat(response.body()).doesNotContain(token);
    }

    static List<Object[]> refusedTokens() throws Exception {
        Instant now = Instant.now();
        ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID(activeKid()).generate();
        String valid = sign(claims(b -> b));
        String[] parts = valid.split("\\.");
        String tamperedPayload = Base64URL.encode(claims(b -> b.subject("mallory")).toString()).toString();
        return List.of(
                new Object[] {"no header", null, "missing_token"},
                new Object[] {"not a JWT", "Bearer not-a-jwt", "malformed_token"},
                new Object[] {"expired", bearer(sign(claims(b -> b
                        .issueTime(Date.from(now.minus(2, ChronoUnit.HOURS)))
                        .expirationTime(Date.from(now.minus(1, ChronoUnit.HOURS)))))), "token_expired"},
                new Object[] {"not yet valid", bearer(sign(claims(b -> b
                        .notBeforeTime(Date.from(now.plus(1, ChronoUnit.HOURS)))))), "token_not_yet_valid"},
                new Object[] {"wrong audience", bearer(sign(claims(b -> b.audience("someone-else")))), "wrong_audience"},
                new Object[] {"wrong issuer", bearer(sign(claims(b -> b.issuer("https://evil.test")))), "wrong_issuer"},
                new Object[] {"wrong type", bearer(sign(claims(b -> b.claim("typ", "Bearer")))), "wrong_token_type"},
                new Object[] {"alg none", bearer(new PlainJWT(claims(b -> b)).serialize()), "unsupported_algorithm"},
                new Object[] {"forged with another key", bearer(sign(stranger, claims(b -> b))), "bad_signature"},
                new Object[] {"tampered payload", bearer(parts[0] + "." + tamperedPayload + "." + parts[2]), "bad_signature"},
                new Object[] {"unknown kid", bearer(sign(new ECKeyGenerator(Curve.P_256).keyID("nope").generate(),
                        claims(b -> b))), "unknown_key"},
                new Object[] {"oversized", bearer(sign(claims(b -> b.claim("pad", "x".repeat(9000))))), "token_too_large"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    void session_refusedToken_is401WithItsReason(String name, String authorization, String code) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url("/auth/session")).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = send(request.build());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(ProblemResponses.CONTENT_TYPE);
        assertThat(response.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer");
        JsonObject problem = new JsonObject(response.body());
        assertThat(problem.getString("code")).isEqualTo(code);
        assertThat(problem.getString("requestId")).isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
        if (authorization != null) {
            String token = authorization.substring("Bearer ".length());
            assertThat(response.body()).doesNotContain(token);
            assertThat(logs.list).allSatisfy(event -> assertThat(event.toString() + event.getKeyValuePairs())
                    .doesNotContain(token));
        }
    }

    @Test
    void unknownPath_isProblemJson404() {
        HttpResponse<String> response = get(url("/no/such/thing"));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("not_found");
    }

    @Test
    void undecodablePath_is400NotAServerError() throws Exception {
        // java.net.http refuses to send such a URI, so this one goes over a plain socket.
        try (Socket socket = new Socket("127.0.0.1", gatehouse.port())) {
            socket.getOutputStream().write(
                    "GET /auth/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(response).startsWith("HTTP/1.1 400").contains("\"code\":\"bad_request\"");
        }
    }

    @Test
    void undecodableFormBody_is400NotAServerError() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(url("/oauth/introspect"))
                .header("Authorization", bearer(sign(claims(b -> b))))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=%%%")).build());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).doesNotContain("%%%");
    }

    @Test
    void wrongMethod_is405() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(url("/.well-known/jwks.json"))
                .DELETE().build());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("method_not_allowed");
    }

    @Test
    void oversizedBody_is413BeforeAuthentication() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(url("/auth/session"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(10_000))).build());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("body_too_large");
    }

    @Test
    void requestId_plainCallerIdIsKept_otherwiseReplaced() {
        assertThat(get(url("/healthz"), "X-Request-Id", "trace-42").headers().firstValue("X-Request-Id"))
                .hasValue("trace-42");
        String replaced = get(url("/healthz"), "X-Request-Id", "x".repeat(65)).headers()
                .firstValue("X-Request-Id").orElseThrow();
        assertThat(replaced).isNotEqualTo("x".repeat(65)).matches("[a-z0-9]+");
    }

    private static URI url(String path) {
        return gatehouse.localUrl().resolve(path);
    }

    private static URI managementUrl(String path) {
        return gatehouse.managementUrl().resolve(path);
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    private static String activeKid() {
        return gatehouse.keyRing().activeSigningKey().getKeyID();
    }

    static JWTClaimsSet claims(UnaryOperator<JWTClaimsSet.Builder> customize) {
        return TestGatehouse.sessionClaims(customize);
    }

    static String sign(JWTClaimsSet claims) throws JOSEException {
        return sign(gatehouse.keyRing().activeSigningKey(), claims);
    }

    static String sign(JWK key, JWTClaimsSet claims) throws JOSEException {
        return TestGatehouse.signEs256(key, claims);
    }
}
