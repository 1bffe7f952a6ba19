package dev.gatehouse.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.server.config.ConfigLoader;
import dev.gatehouse.server.config.GatehouseConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Test support for whole-server tests: configurations built the way an operator would (environment
 * overrides on the defaults), session tokens signed with a given key, and a plain HTTP client.
 */
public final class TestGatehouse {
    public static final String ISSUER = "http://gatehouse.test";

    private TestGatehouse() {}

    /** Embedded defaults in {@code dataDir}, on free ports, plus {@code overrides} (env-style names). */
    public static GatehouseConfig config(Path dataDir, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("GATEHOUSE_DATA_DIR", dataDir.toString());
        env.put("GATEHOUSE_SERVER_PORT", "0");
        env.put("GATEHOUSE_SERVER_MANAGEMENT_PORT", "0");
        env.put("GATEHOUSE_TOKENS_ISSUER", ISSUER);
        env.put("GATEHOUSE_SERVER_SHUTDOWN_TIMEOUT", "2s");
        env.putAll(overrides);
        return ConfigLoader.load(null, env);
    }

    /** A port free a moment ago: for a server that must know its own address before it listens. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static HttpResponse<String> get(URI uri, String... headers) {
        return send(HttpRequest.newBuilder(uri).headers(headers.length == 0 ? new String[] {"Accept", "*/*"} : headers)
                .GET().build());
    }

    public static HttpResponse<String> send(HttpRequest request) {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build()) {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code POST /oauth/introspect} of {@code token} with the admin secret; the body of its 200. */
    public static JsonObject introspect(Gatehouse gatehouse, String adminSecret, String token) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(gatehouse.localUrl().resolve("/oauth/introspect"))
                .header("Authorization", "Bearer " + adminSecret)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
                .build());
        if (response.statusCode() != 200) {
            throw new AssertionError("introspection: " + response.statusCode() + " " + response.body());
        }
        return new JsonObject(response.body());
    }

    /** A session token for alice meant for this Gatehouse's API, valid for an hour, then customized. */
    public static JWTClaimsSet sessionClaims(UnaryOperator<JWTClaimsSet.Builder> customize) {
        Instant now = Instant.now();
        return customize.apply(new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject("alice")
                .audience(ISSUER)
                .claim("typ", "session")
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(1, ChronoUnit.HOURS)))).build();
    }

    /** {@code claims} signed ES256 with {@code key}, its kid in the header. */
    public static String signEs256(JWK key, JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new ECDSASigner(key.toECKey()));
        return jwt.serialize();
    }
}
