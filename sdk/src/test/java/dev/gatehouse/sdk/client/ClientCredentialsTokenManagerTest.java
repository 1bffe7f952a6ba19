package dev.gatehouse.sdk.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token manager against a scripted token endpoint, for answers a real Keycloak does not give.
 * The Keycloak-backed behaviour (caching, buffer, single flight, 401 retry) is tested by the
 * server's {@code ServiceAccountsKeycloakTest}.
 */
class ClientCredentialsTokenManagerTest {
    private HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<String> forms = new CopyOnWriteArrayList<>();
    private final AtomicInteger counter = new AtomicInteger();
    private volatile int status = 200;
    private volatile String contentType = "application/json";
    private volatile String body;
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", exchange -> {
            try (exchange) {
                authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
                forms.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                byte[] bytes = body.replace("#n", String.valueOf(counter.incrementAndGet()))
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", contentType);
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        http.close();
    }

    private ClientCredentialsConfig.Builder config() {
        return ClientCredentialsConfig.builder()
                .tokenEndpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token"))
                .clientId("svc:a b")
                .clientSecret("p&ss=w rd");
    }

    private ClientCredentialsTokenManager manager(ClientCredentialsConfig config) {
        return ClientCredentialsTokenManager.of(config, http, Clock.systemUTC());
    }

    @Test
    void request_isAClientCredentialsGrant_withBasicAuthOfTheFormEncodedCredentials_andScopeAndAudience()
            throws Exception {
        body = "{\"access_token\":\"t#n\",\"token_type\":\"Bearer\",\"expires_in\":300}";

        String token = manager(config().scope("admin read").audience("gatehouse").build()).accessToken();

        assertThat(token).isEqualTo("t1");
        assertThat(forms).containsExactly("grant_type=client_credentials&scope=admin+read&audience=gatehouse");
        assertThat(authorizations).containsExactly("Basic " + Base64.getEncoder()
                .encodeToString("svc%3Aa+b:p%26ss%3Dw+rd".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void oauthError_carriesCodeDescriptionAndStatus() {
        status = 400;
        body = "{\"error\":\"invalid_scope\",\"error_description\":\"Invalid scopes: admin\"}";

        TokenEndpointException e = assertThatExceptionOfType(TokenEndpointException.class)
                .isThrownBy(() -> manager(config().build()).accessToken()).actual();

        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.error()).hasValue("invalid_scope");
        assertThat(e.errorDescription()).hasValue("Invalid scopes: admin");
        assertThat(e.getMessage()).endsWith("HTTP 400 invalid_scope (Invalid scopes: admin)")
                .doesNotContain("p&ss=w rd");
    }

    @Test
    void nonJsonError_andUnusableSuccess_areTypedErrorsWithoutCode() {
        status = 502;
        contentType = "text/html";
        body = "<html>bad gateway</html>";
        TokenEndpointException html = assertThatExceptionOfType(TokenEndpointException.class)
                .isThrownBy(() -> manager(config().build()).accessToken()).actual();
        status = 200;
        contentType = "application/json";
        body = "{\"access_token\":\"t\",\"token_type\":\"DPoP\",\"expires_in\":300}";
        TokenEndpointException dpop = assertThatExceptionOfType(TokenEndpointException.class)
                .isThrownBy(() -> manager(config().build()).accessToken()).actual();
        body = "{\"token_type\":\"Bearer\"}";
        TokenEndpointException none = assertThatExceptionOfType(TokenEndpointException.class)
                .isThrownBy(() -> manager(config().build()).accessToken()).actual();

        assertThat(html.statusCode()).isEqualTo(502);
        assertThat(html.error()).isEmpty();
        assertThat(html.getMessage()).endsWith("HTTP 502, not a JSON object");
        assertThat(dpop.getMessage()).endsWith("HTTP 200 with token_type DPoP (expected: Bearer)");
        assertThat(none.getMessage()).endsWith("HTTP 200 without access_token");
    }

    @Test
    void tokenWithoutExpiresIn_isUsedOnce() throws Exception {
        body = "{\"access_token\":\"t#n\",\"token_type\":\"bearer\"}";
        ClientCredentialsTokenManager tokens = manager(config().build());

        assertThat(List.of(tokens.accessToken(), tokens.accessToken())).containsExactly("t1", "t2");
    }

    @Test
    void secretFile_isReadForEveryTokenRequest_soRotationNeedsNoRestart() throws Exception {
        body = "{\"access_token\":\"t#n\",\"token_type\":\"Bearer\",\"expires_in\":300}";
        Path secret = Files.writeString(dir.resolve("secret"), "first\n");
        ClientCredentialsTokenManager tokens = manager(ClientCredentialsConfig.builder()
                .tokenEndpoint(config().build().tokenEndpoint()).clientId("svc").clientSecretFile(secret).build());

        tokens.accessToken();
        Files.writeString(secret, "second\n");
        tokens.invalidate();
        tokens.accessToken();

        assertThat(authorizations).extracting(header -> new String(Base64.getDecoder().decode(header.substring(6)),
                StandardCharsets.UTF_8)).containsExactly("svc:first", "svc:second");
    }

    @Test
    void invalidateOfAnotherToken_keepsTheCachedOne() throws Exception {
        body = "{\"access_token\":\"t#n\",\"token_type\":\"Bearer\",\"expires_in\":300}";
        ClientCredentialsTokenManager tokens = manager(config().build());

        String first = tokens.accessToken();
        tokens.invalidate("some-older-token");
        assertThat(tokens.accessToken()).isEqualTo(first);
        tokens.invalidate(first);
        assertThat(tokens.accessToken()).isEqualTo("t2");
    }
}
