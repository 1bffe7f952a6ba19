package dev.gatehouse.sdk.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.sdk.claims.TokenType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The consumer path documented in docs/claims.md, against a real HTTP server publishing discovery + JWKS. */
class JwksDiscoveryTest {
    private final List<JWK> published = new CopyOnWriteArrayList<>();
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private HttpServer server;
    private String issuer;

    @BeforeEach
    void startIssuer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        issuer = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/.well-known/openid-configuration", exchange -> respond(exchange,
                "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/.well-known/jwks.json\"}"));
        server.createContext("/.well-known/jwks.json", exchange -> {
            jwksFetches.incrementAndGet();
            respond(exchange, new JWKSet(new ArrayList<>(published)).toString());
        });
        server.start();
    }

    @AfterEach
    void stopIssuer() {
        server.stop(0);
    }

    @Test
    void discoveredJwks_verifies_andRotatedKidIsRefetched_unknownKidIsUnknownKey() throws Exception {
        ECKey first = new ECKeyGenerator(Curve.P_256).keyID("k-2026-01").generate();
        ECKey rotated = new ECKeyGenerator(Curve.P_256).keyID("k-2026-02").generate();
        published.add(first.toPublicJWK());

        GatehouseTokenVerifier verifier = GatehouseTokenVerifier.builder()
                .issuer(issuer)
                .acceptedTypes(EnumSet.allOf(TokenType.class))
                .anyAudience()
                .keySource(JWKSourceBuilder.<SecurityContext>create(URI.create(jwksUri(issuer)).toURL()).build())
                .build();

        assertThat(verifier.verify(token(first)).subject()).isEqualTo("svc-1");
        assertThat(verifier.verify(token(first)).subject()).isEqualTo("svc-1");
        assertThat(jwksFetches).hasValue(1);

        published.add(rotated.toPublicJWK());
        assertThat(verifier.verify(token(rotated)).subject()).isEqualTo("svc-1");
        assertThat(jwksFetches).hasValue(2);

        ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID("k-unknown").generate();
        for (int i = 0; i < 3; i++) {
            TokenRejectedException e = catchThrowableOfType(TokenRejectedException.class,
                    () -> verifier.verify(token(stranger)));
            assertThat(e.reason()).as(e.getMessage()).isEqualTo(RejectionReason.UNKNOWN_KEY);
        }
        assertThat(jwksFetches).as("refetches on unknown kid are rate-limited").hasValueLessThanOrEqualTo(3);
    }

    @Test
    void unreachableJwks_isKeysUnavailable() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("k").generate();
        String jwksUri = jwksUri(issuer);
        server.stop(0);

        GatehouseTokenVerifier verifier = GatehouseTokenVerifier.builder()
                .issuer(issuer)
                .acceptedTypes(EnumSet.allOf(TokenType.class))
                .anyAudience()
                .keySource(JWKSourceBuilder.<SecurityContext>create(URI.create(jwksUri).toURL()).retrying(false).build())
                .build();

        TokenRejectedException e = catchThrowableOfType(TokenRejectedException.class, () -> verifier.verify(token(key)));
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(RejectionReason.KEYS_UNAVAILABLE);
    }

    private static String jwksUri(String issuer) throws Exception {
        HttpResponse<String> discovery = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration")).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSONObjectUtils.getString(JSONObjectUtils.parse(discovery.body()), "jwks_uri");
    }

    private String token(ECKey key) throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
                new JWTClaimsSet.Builder().issuer(issuer).subject("svc-1").claim("typ", "service")
                        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).jwtID("j").build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    private static void respond(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
