package dev.gatehouse.server.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on a free loopback port that speaks the two endpoints Gatehouse needs from a
 * Keycloak realm: OIDC discovery and the JWKS. Counts requests, can go down (HTTP 503) and can
 * advertise a different issuer in its metadata. Tokens are signed RS256 with generated keys.
 */
public final class FakeKeycloak implements AutoCloseable {
    private final HttpServer server;
    private final String issuer;
    private final AtomicInteger discoveryRequests = new AtomicInteger();
    private final AtomicInteger jwksRequests = new AtomicInteger();
    private volatile JWKSet published = new JWKSet();
    private volatile boolean down;
    private volatile String advertisedIssuer;

    private FakeKeycloak(HttpServer server, String realm) {
        this.server = server;
        this.issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/" + realm;
        this.advertisedIssuer = issuer;
        String base = "/realms/" + realm;
        server.createContext(base + "/.well-known/openid-configuration", exchange -> {
            discoveryRequests.incrementAndGet();
            respond(exchange, "{\"issuer\":\"" + advertisedIssuer + "\",\"jwks_uri\":\"" + issuer
                    + "/protocol/openid-connect/certs\",\"id_token_signing_alg_values_supported\":[\"RS256\"]}");
        });
        server.createContext(base + "/protocol/openid-connect/certs", exchange -> {
            jwksRequests.incrementAndGet();
            respond(exchange, published.toString(true));
        });
    }

    /** Starts a realm named {@code realm} on a free port. */
    public static FakeKeycloak start(String realm) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            FakeKeycloak keycloak = new FakeKeycloak(server, realm);
            server.start();
            return keycloak;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RSAKey newKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Publishes exactly these keys (their public parts) in the JWKS. */
    public void publish(RSAKey... keys) {
        published = new JWKSet(List.of(keys));
    }

    public String issuer() {
        return issuer;
    }

    public URI issuerUri() {
        return URI.create(issuer);
    }

    /** While down, both endpoints answer 503 (requests are still counted). */
    public void down(boolean down) {
        this.down = down;
    }

    public void advertiseIssuer(String issuer) {
        this.advertisedIssuer = issuer;
    }

    public int discoveryRequests() {
        return discoveryRequests.get();
    }

    public int jwksRequests() {
        return jwksRequests.get();
    }

    /** Claims shaped like a Keycloak 26 access token for {@code user}, valid for five minutes. */
    public JWTClaimsSet.Builder accessToken(String user) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(UUID.randomUUID().toString())
                .audience("account")
                .claim("typ", "Bearer")
                .claim("azp", "gatehouse-cli")
                .claim("preferred_username", user)
                .claim("realm_access", Map.of("roles", List.of("offline_access", "default-roles")))
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(5, ChronoUnit.MINUTES)));
    }

    /** {@code claims} signed RS256 by {@code key}, its kid and {@code typ: JWT} in the header. */
    public static String sign(RSAKey key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256)
                    .keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void respond(HttpExchange exchange, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            if (down) {
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }
}
