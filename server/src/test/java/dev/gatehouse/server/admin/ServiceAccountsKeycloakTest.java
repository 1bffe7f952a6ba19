package dev.gatehouse.server.admin;

import dev.gatehouse.server.testing.MutableClock;
import static dev.gatehouse.server.testing.keycloak.KeycloakExtension.ACME;
import static dev.gatehouse.server.testing.keycloak.KeycloakExtension.GLOBEX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.sdk.client.AuthenticatingHttpClient;
import dev.gatehouse.sdk.client.ClientCredentialsConfig;
import dev.gatehouse.sdk.client.ClientCredentialsTokenManager;
import dev.gatehouse.sdk.client.TokenEndpointException;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.testing.keycloak.Keycloak;
import dev.gatehouse.server.testing.keycloak.KeycloakExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Service-to-service authentication against a real Keycloak: the SDK's client-credentials token
 * manager and authenticating HTTP client (token requests counted by a forwarding proxy in front of
 * Keycloak's token endpoint), and Gatehouse's admin API accepting service-account tokens by role.
 */
class ServiceAccountsKeycloakTest {
    private static final String ADMIN_SECRET = "an-admin-secret-that-is-at-least-32-bytes";
    private static final String REPORTING = "ccm-reporting";
    private static final String REPORTING_SECRET = "reporting-secret-0123456789";
    private static final String NO_ROLE = "ccm-norole";
    private static final String NO_ROLE_SECRET = "norole-secret-0123456789";
    private static final String MINTER = "ccm-minter";
    private static final String MINTER_SECRET = "minter-secret-0123456789";
    private static final String CLIENT_ROLE = "ccm-client-role";
    private static final String CLIENT_ROLE_SECRET = "client-role-secret-0123456789";

    @RegisterExtension
    static final KeycloakExtension KEYCLOAK = new KeycloakExtension();

    @TempDir
    static Path dataDir;

    static Keycloak keycloak;
    static Gatehouse gatehouse;

    private CountingProxy tokenProxy;
    private Resource resource;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void start() {
        keycloak = KEYCLOAK.keycloak();
        keycloak.createTestClient(ACME, REPORTING, REPORTING_SECRET);
        keycloak.assignRealmRole(ACME, "service-account-" + REPORTING, "gatehouse-admin");
        keycloak.createTestClient(ACME, NO_ROLE, NO_ROLE_SECRET);
        keycloak.createTestClient(ACME, MINTER, MINTER_SECRET);
        keycloak.assignRealmRole(ACME, "service-account-" + MINTER, "sandbox-token-minter");
        keycloak.createTestClient(ACME, CLIENT_ROLE, CLIENT_ROLE_SECRET);
        keycloak.assignClientRole(ACME, "service-account-" + CLIENT_ROLE, CLIENT_ROLE, "audit-reader");
        keycloak.createTestClient(GLOBEX, REPORTING, REPORTING_SECRET);
        keycloak.assignRealmRole(GLOBEX, "service-account-" + REPORTING, "gatehouse-admin");
        gatehouse = Gatehouse.start(TestGatehouse.config(dataDir, Map.of(
                "GATEHOUSE_ADMIN_SECRET", ADMIN_SECRET,
                "GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", keycloak.issuer(ACME),
                "GATEHOUSE_ADMIN_SERVICE_ACCOUNTS_ACTING_USER_HEADER", "X-Backstage-User")));
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
    }

    @BeforeEach
    void proxies() throws IOException {
        tokenProxy = new CountingProxy(keycloak.baseUrl());
        resource = new Resource();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        tokenProxy.close();
        resource.close();
    }

    // ---- the token manager ------------------------------------------------------------------

    @Test
    void clientCredentialsGrant_confidentialClient_tokenIsCachedUntilExpiryMinusBuffer() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        ClientCredentialsTokenManager tokens = manager(REPORTING, REPORTING_SECRET, "45", clock);

        String first = tokens.accessToken();
        long lifetime = Keycloak.payload(first).path("exp").asLong() - Keycloak.payload(first).path("iat").asLong();
        String again = tokens.accessToken();
        // expires_in is whole seconds from Keycloak's clock: the refresh instant is known to ±1 s.
        clock.advance(Duration.ofSeconds(lifetime - 45 - 2));
        String justBeforeTheBuffer = tokens.accessToken();

        assertThat(Keycloak.payload(first).path("azp").asText()).isEqualTo(REPORTING);
        assertThat(Keycloak.payload(first).path("iss").asText()).isEqualTo(keycloak.issuer(ACME));
        assertThat(List.of(again, justBeforeTheBuffer)).containsOnly(first);
        assertThat(tokenProxy.tokenRequests()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(3));
        String atTheBuffer = tokens.accessToken();

        assertThat(atTheBuffer).isNotEqualTo(first);
        assertThat(tokenProxy.tokenRequests()).isEqualTo(2);
        assertThat(tokens.accessToken()).isEqualTo(atTheBuffer);
        assertThat(tokenProxy.tokenRequests()).isEqualTo(2);
    }

    @Test
    void bufferAbsent_managerRefreshes60SecondsBeforeExpiry() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        ClientCredentialsTokenManager tokens = manager(REPORTING, REPORTING_SECRET, null, clock);

        String first = tokens.accessToken();
        long lifetime = Keycloak.payload(first).path("exp").asLong() - Keycloak.payload(first).path("iat").asLong();
        // Keycloak states expires_in in whole seconds counted from its own clock, so the refresh
        // instant is known to within a second either way.
        clock.advance(Duration.ofSeconds(lifetime - 62));
        assertThat(tokens.accessToken()).isEqualTo(first);
        clock.advance(Duration.ofSeconds(3));
        assertThat(tokens.accessToken()).isNotEqualTo(first);

        assertThat(tokenProxy.tokenRequests()).isEqualTo(2);
    }

    @Test
    void hundredConcurrentCallers_withoutAToken_causeExactlyOneTokenRequest() throws Exception {
        tokenProxy.delay(Duration.ofMillis(300));
        ClientCredentialsTokenManager tokens = manager(REPORTING, REPORTING_SECRET, "60", Clock.systemUTC());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();

        try (ExecutorService callers = Executors.newFixedThreadPool(100)) {
            for (int i = 0; i < 100; i++) {
                results.add(callers.submit(() -> {
                    go.await();
                    return tokens.accessToken();
                }));
            }
            go.countDown();
            Set<String> distinct = new HashSet<>();
            for (Future<String> result : results) {
                distinct.add(result.get());
            }

            assertThat(distinct).hasSize(1);
        }
        assertThat(tokenProxy.tokenRequests()).isEqualTo(1);
    }

    @Test
    void wrongSecret_isATypedErrorWithTheEndpointsCode_andNothingIsSent() throws Exception {
        ClientCredentialsTokenManager tokens = manager(REPORTING, "not-the-secret", null, Clock.systemUTC());
        AuthenticatingHttpClient client = AuthenticatingHttpClient.builder(tokens).build();

        TokenEndpointException e = assertThatExceptionOfType(TokenEndpointException.class)
                .isThrownBy(tokens::accessToken).actual();
        assertThatExceptionOfType(TokenEndpointException.class)
                .isThrownBy(() -> client.send(HttpRequest.newBuilder(resource.url()).build(),
                        HttpResponse.BodyHandlers.ofString()));

        assertThat(e.statusCode()).isEqualTo(401);
        assertThat(e.error()).get().isIn("unauthorized_client", "invalid_client");
        assertThat(e.getMessage()).contains(REPORTING).doesNotContain("not-the-secret");
        assertThat(resource.requests()).as("no token-less request").isEmpty();
        assertThat(tokenProxy.tokenRequests()).as("a failure is not cached").isEqualTo(2);
    }

    @Test
    void unknownClient_andUnreachableEndpoint_areTypedErrors() throws Exception {
        ClientCredentialsTokenManager unknown = manager("ccm-nobody", "whatever", null, Clock.systemUTC());
        ClientCredentialsTokenManager unreachable = ClientCredentialsTokenManager.of(ClientCredentialsConfig.builder()
                .tokenEndpoint("http://127.0.0.1:1/token").clientId(REPORTING).clientSecret(REPORTING_SECRET).build());
        closeables.add(unreachable);

        TokenEndpointException unknownClient = assertThatExceptionOfType(TokenEndpointException.class)
                .isThrownBy(unknown::accessToken).actual();
        TokenEndpointException noResponse = assertThatExceptionOfType(TokenEndpointException.class)
                .isThrownBy(unreachable::accessToken).actual();

        assertThat(unknownClient.error()).get().isIn("unauthorized_client", "invalid_client");
        assertThat(noResponse.statusCode()).isEqualTo(TokenEndpointException.NO_RESPONSE);
        assertThat(noResponse.error()).isEmpty();
    }

    // ---- the authenticating client ----------------------------------------------------------

    @Test
    void first401_dropsTheToken_refreshesOnce_andRetriesOnce_withTheActingUser() throws Exception {
        resource.refuse(token -> resource.firstToken() == null || resource.firstToken().equals(token));
        AuthenticatingHttpClient client = AuthenticatingHttpClient.builder(manager(REPORTING, REPORTING_SECRET, null,
                Clock.systemUTC())).actingUserHeader("X-Backstage-User").build().actingFor("alice");

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(resource.url()).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(resource.requests()).hasSize(2);
        assertThat(resource.requests().get(0).token()).isNotEqualTo(resource.requests().get(1).token());
        assertThat(resource.requests()).allSatisfy(request -> assertThat(request.actingUser()).isEqualTo("alice"));
        assertThat(tokenProxy.tokenRequests()).isEqualTo(2);
    }

    @Test
    void second401_isReturnedUnchanged_afterExactlyOneRetry() throws Exception {
        resource.refuse(token -> true);
        AuthenticatingHttpClient client = AuthenticatingHttpClient.builder(
                manager(REPORTING, REPORTING_SECRET, null, Clock.systemUTC())).build();

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(resource.url()).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isEqualTo("refused #2");
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
        assertThat(resource.requests()).hasSize(2);
        assertThat(tokenProxy.tokenRequests()).isEqualTo(2);
    }

    @Test
    void bodies_areReplayedOnlyWhenTheyCanBeRecreated() throws Exception {
        resource.refuse(token -> resource.requests().size() == 1);
        AuthenticatingHttpClient client = AuthenticatingHttpClient.builder(
                manager(REPORTING, REPORTING_SECRET, null, Clock.systemUTC())).build();

        HttpResponse<String> streamed = client.send(HttpRequest.newBuilder(resource.url())
                        .POST(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new java.io.ByteArrayInputStream("once".getBytes(StandardCharsets.UTF_8))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(streamed.statusCode()).as("a one-shot body is not retried").isEqualTo(401);
        assertThat(resource.requests()).hasSize(1);

        resource.reset();
        resource.refuse(token -> resource.requests().size() == 1);
        HttpResponse<String> recreated = client.send(
                HttpRequest.newBuilder(resource.url()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                () -> HttpRequest.BodyPublishers.ofString("{\"n\":1}"), HttpResponse.BodyHandlers.ofString());

        assertThat(recreated.statusCode()).isEqualTo(200);
        assertThat(resource.requests()).extracting(Request::method).containsExactly("POST", "POST");
        assertThat(resource.requests()).extracting(Request::body).containsExactly("{\"n\":1}", "{\"n\":1}");
    }

    // ---- the admin API --------------------------------------------------------------------

    @Test
    void adminApi_serviceAccountWithTheAdminRole_is200_andTheAuditRecordsClientAndActingUser() throws Exception {
        AuthenticatingHttpClient client = AuthenticatingHttpClient.builder(manager(REPORTING, REPORTING_SECRET, null,
                Clock.systemUTC())).actingUserHeader("X-Backstage-User").build().actingFor("alice@acme");

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(audit("?action=pat.issued")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getJsonArray("events")).isNotNull();
        JsonObject actor = latestAuditRead().getJsonObject("actor");
        assertThat(actor.getString("client")).isEqualTo(REPORTING);
        assertThat(actor.getString("issuer")).isEqualTo(keycloak.issuer(ACME));
        assertThat(actor.getString("on_behalf_of")).isEqualTo("alice@acme");
        assertThat(actor.getString("subject")).isNotBlank();
    }

    @Test
    void adminApi_serviceAccountWithoutTheAdminRole_is403_andNothingIsRecorded() throws Exception {
        String noRole = keycloak.clientCredentials(ACME, NO_ROLE, NO_ROLE_SECRET);
        String minter = keycloak.clientCredentials(ACME, MINTER, MINTER_SECRET);

        HttpResponse<String> withoutRole = TestGatehouse.get(audit(""), "Authorization", "Bearer " + noRole);
        HttpResponse<String> minterOnly = TestGatehouse.get(audit(""), "Authorization", "Bearer " + minter);
        URI channels = gatehouse.localUrl().resolve("/admin/channels");
        HttpResponse<String> channelsWithoutRole = TestGatehouse.get(channels, "Authorization", "Bearer " + noRole);
        HttpResponse<String> channelsMinterOnly = TestGatehouse.get(channels, "Authorization", "Bearer " + minter);

        assertThat(List.of(withoutRole, minterOnly, channelsWithoutRole, channelsMinterOnly)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("insufficient_role");
            assertThat(response.body()).contains("gatehouse-admin");
        });
        assertThat(auditReads(1000).stream().map(event -> ((JsonObject) event).getJsonObject("actor").getString("client")))
                .as("no read recorded").doesNotContain(NO_ROLE, MINTER);
        assertThat(channelsWithoutRole.body()).doesNotContain("\"channels\"");
    }

    @Test
    void adminApi_channelList_serviceAccountWithTheAdminRole_is200() {
        String reporting = keycloak.clientCredentials(ACME, REPORTING, REPORTING_SECRET);

        HttpResponse<String> response = TestGatehouse.get(gatehouse.localUrl().resolve("/admin/channels"),
                "Authorization", "Bearer " + reporting);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getJsonArray("channels")).isEmpty();
    }

    @Test
    void adminApi_refusesTokensOfOtherIssuers_forgedTokens_andGarbage_with401() {
        String otherRealm = keycloak.clientCredentials(GLOBEX, REPORTING, REPORTING_SECRET);
        String good = keycloak.clientCredentials(ACME, REPORTING, REPORTING_SECRET);
        String forged = good.substring(0, good.lastIndexOf('.') + 1) + "AAAA" + good.substring(good.lastIndexOf('.') + 5);

        HttpResponse<String> wrongIssuer = TestGatehouse.get(audit(""), "Authorization", "Bearer " + otherRealm);
        HttpResponse<String> badSignature = TestGatehouse.get(audit(""), "Authorization", "Bearer " + forged);
        HttpResponse<String> garbage = TestGatehouse.get(audit(""), "Authorization", "Bearer not-a-token");
        HttpResponse<String> missing = TestGatehouse.get(audit(""));

        assertThat(code(wrongIssuer)).isEqualTo("invalid_admin_secret");
        assertThat(code(badSignature)).isEqualTo("bad_signature");
        assertThat(code(garbage)).isEqualTo("invalid_admin_secret");
        assertThat(code(missing)).isEqualTo("missing_token");
        assertThat(List.of(wrongIssuer, badSignature, garbage, missing))
                .allSatisfy(response -> assertThat(response.statusCode()).isEqualTo(401));
    }

    @Test
    void adminApi_staticSecretStillWorks_andMayNameAnActingUser() {
        HttpResponse<String> response = TestGatehouse.get(audit(""), "Authorization", "Bearer " + ADMIN_SECRET,
                "X-Backstage-User", "ops-bob");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonObject actor = latestAuditRead().getJsonObject("actor");
        assertThat(actor.getString("subject")).isEqualTo("admin");
        assertThat(actor.getString("client")).isNull();
        assertThat(actor.getString("on_behalf_of")).isEqualTo("ops-bob");
    }

    @Test
    void adminRoleAsClientRole_clientIdSlashRole_isAccepted() throws Exception {
        try (Gatehouse clientRoles = Gatehouse.start(TestGatehouse.config(dataDir.resolve("client-roles"), Map.of(
                "GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", keycloak.issuer(ACME),
                "GATEHOUSE_ADMIN_SERVICE_ACCOUNTS_ADMIN_ROLE", CLIENT_ROLE + "/audit-reader")))) {
            URI url = clientRoles.localUrl().resolve("/admin/audit");
            String withClientRole = keycloak.clientCredentials(ACME, CLIENT_ROLE, CLIENT_ROLE_SECRET);
            String withRealmRoleOnly = keycloak.clientCredentials(ACME, REPORTING, REPORTING_SECRET);

            assertThat(TestGatehouse.get(url, "Authorization", "Bearer " + withClientRole).statusCode())
                    .as("no admin.secret needed").isEqualTo(200);
            assertThat(TestGatehouse.get(url, "Authorization", "Bearer " + withRealmRoleOnly).statusCode()).isEqualTo(403);
        }
    }

    /** The docs/service-accounts.md example: four configuration values. */
    @Test
    void documentedExample_fourConfigurationValues() throws Exception {
        String tokenEndpoint = keycloak.tokenEndpoint(ACME).toString();
        String clientId = REPORTING;
        String clientSecret = REPORTING_SECRET;
        String gatehouseUrl = gatehouse.localUrl().toString();

        ClientCredentialsConfig config = ClientCredentialsConfig.builder()
                .tokenEndpoint(tokenEndpoint)
                .clientId(clientId)
                .clientSecret(clientSecret)
                .build();
        try (ClientCredentialsTokenManager tokens = ClientCredentialsTokenManager.of(config)) {
            AuthenticatingHttpClient gatehouseClient = AuthenticatingHttpClient.builder(tokens).build();
            HttpResponse<String> response = gatehouseClient.send(
                    HttpRequest.newBuilder(URI.create(gatehouseUrl + "/admin/audit?limit=10")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
        }
    }

    // ---- support ----------------------------------------------------------------------------

    private ClientCredentialsTokenManager manager(String clientId, String secret, String buffer, Clock clock) {
        ClientCredentialsConfig.Builder config = ClientCredentialsConfig.builder()
                .tokenEndpoint(tokenProxy.url().resolve("/realms/" + ACME + "/protocol/openid-connect/token"))
                .clientId(clientId)
                .clientSecret(secret);
        if (buffer != null) {
            config.tokenExpiryBufferSeconds(buffer);
        }
        HttpClient http = HttpClient.newHttpClient();
        closeables.add(http);
        return ClientCredentialsTokenManager.of(config.build(), http, clock);
    }

    private static URI audit(String query) {
        return gatehouse.localUrl().resolve("/admin/audit" + query);
    }

    /** The newest audit.read event before this look (a read is recorded after the events it returns). */
    private static JsonObject latestAuditRead() {
        return auditReads(1).getJsonObject(0);
    }

    private static JsonArray auditReads(int limit) {
        HttpResponse<String> response = TestGatehouse.get(audit("?action=audit.read&limit=" + limit),
                "Authorization", "Bearer " + ADMIN_SECRET);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body()).getJsonArray("events");
    }

    private static String code(HttpResponse<String> response) {
        return new JsonObject(response.body()).getString("code");
    }

    /** Forwards every request to Keycloak, counting token requests; optionally slow. */
    private static final class CountingProxy implements AutoCloseable {
        private final HttpServer server;
        private final HttpClient upstream = HttpClient.newHttpClient();
        private final AtomicInteger tokenRequests = new AtomicInteger();
        private volatile Duration delay = Duration.ZERO;

        CountingProxy(URI target) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> forward(exchange, target));
            server.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        int tokenRequests() {
            return tokenRequests.get();
        }

        void delay(Duration delay) {
            this.delay = delay;
        }

        private void forward(HttpExchange exchange, URI target) throws IOException {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (exchange.getRequestURI().getPath().endsWith("/token")) {
                    tokenRequests.incrementAndGet();
                    Thread.sleep(delay);
                }
                HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
                        .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
                for (String name : List.of("Authorization", "Content-Type", "Accept")) {
                    String value = exchange.getRequestHeaders().getFirst(name);
                    if (value != null) {
                        request.header(name, value);
                    }
                }
                HttpResponse<byte[]> response = upstream.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                response.headers().firstValue("Content-Type")
                        .ifPresent(type -> exchange.getResponseHeaders().set("Content-Type", type));
                exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
                exchange.getResponseBody().write(response.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
            }
        }

        @Override
        public void close() {
            server.stop(0);
            upstream.close();
        }
    }

    private record Request(String method, String token, String actingUser, String body) {}

    /** A protected resource that records every request and refuses the tokens it is told to refuse. */
    private static final class Resource implements AutoCloseable {
        private final HttpServer server;
        private final List<Request> requests = new CopyOnWriteArrayList<>();
        private volatile Predicate<String> refused = token -> false;
        private volatile String firstToken;

        Resource() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", this::handle);
            server.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/resource");
        }

        List<Request> requests() {
            return Collections.unmodifiableList(requests);
        }

        String firstToken() {
            return firstToken;
        }

        void refuse(Predicate<String> refused) {
            this.refused = refused;
        }

        void reset() {
            requests.clear();
            firstToken = null;
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                String authorization = exchange.getRequestHeaders().getFirst("Authorization");
                String token = authorization == null ? null : authorization.substring("Bearer ".length());
                requests.add(new Request(exchange.getRequestMethod(), token,
                        exchange.getRequestHeaders().getFirst("X-Backstage-User"),
                        new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                boolean refuse = token == null || refused.test(token);
                if (firstToken == null) {
                    firstToken = token;
                }
                byte[] body = (refuse ? "refused #" + requests.size() : "ok").getBytes(StandardCharsets.UTF_8);
                if (refuse) {
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                }
                exchange.sendResponseHeaders(refuse ? 401 : 200, body.length);
                exchange.getResponseBody().write(body);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
