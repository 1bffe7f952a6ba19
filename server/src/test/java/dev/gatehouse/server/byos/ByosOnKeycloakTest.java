package dev.gatehouse.server.byos;

import static dev.gatehouse.server.testing.keycloak.KeycloakExtension.ACME;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.crypto.EnvelopeVault;
import dev.gatehouse.server.crypto.KeyEncryptionKey;
import dev.gatehouse.server.crypto.LocalKeyWrapper;
import dev.gatehouse.server.identity.LocalSession;
import dev.gatehouse.server.sandbox.EchoRuntime;
import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.testing.MutableClock;
import dev.gatehouse.server.testing.keycloak.BrowserLogin;
import dev.gatehouse.server.testing.keycloak.Keycloak;
import dev.gatehouse.server.testing.keycloak.KeycloakExtension;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Bring your own subscription with a real Keycloak as the provider's authorization server: a public
 * PKCE client in realm acme, its login form driven over HTTP, the callback on a real Gatehouse, the
 * connection read back from the store (sealed), refreshed, used by a BYOS sandbox (a real child
 * process), revoked; and every bad input on the way. The roles' clock is moved to make tokens due.
 */
class ByosOnKeycloakTest {
    private static final String PROVIDER = "keycloak";
    private static final String CLIENT = "gatehouse-byos";
    private static final String CONSOLE = "http://console.test/app";
    private static final String PASSWORD = "correct horse battery staple";
    private static final String VARIABLE = "PROVIDER_ACCESS_TOKEN";
    private static final Duration PASS = Duration.ofSeconds(10);

    @RegisterExtension
    static final KeycloakExtension KEYCLOAK = new KeycloakExtension();

    @TempDir
    static Path dataDir;

    static Keycloak keycloak;
    static MutableClock clock = new MutableClock(Instant.now());
    static GatehouseConfig config;
    static Gatehouse gatehouse;
    static EnvelopeVault vault;
    static ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void start() {
        keycloak = KEYCLOAK.keycloak();
        int port = TestGatehouse.freePort();
        keycloak.createPkceClient(ACME, CLIENT, callbackUrl(port, PROVIDER));
        Map<String, String> env = new HashMap<>();
        env.put("GATEHOUSE_SERVER_PORT", Integer.toString(port));
        env.put("GATEHOUSE_BYOS_PROVIDERS", new JsonArray()
                .add(provider(PROVIDER, callbackUrl(port, PROVIDER)))
                .add(provider("keycloak-b", callbackUrl(port, "keycloak-b")))
                .add(new JsonObject().put("name", "pasted").put("sandboxVariable", "PASTED_KEY"))
                .encode());
        env.put("GATEHOUSE_BYOS_CONSOLE_URL", CONSOLE);
        env.put("GATEHOUSE_BYOS_REFRESH_INTERVAL", "200ms");
        env.put("GATEHOUSE_SANDBOX_REAP_INTERVAL", "200ms");
        env.put("GATEHOUSE_SANDBOX_PROFILES", EchoRuntime.echoProfile());
        config = TestGatehouse.config(dataDir, env);
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        gatehouse = Gatehouse.builder(config).clock(clock).start();
        vault = new EnvelopeVault(new LocalKeyWrapper(KeyEncryptionKey.loadOrGenerate(config.keys().generatedKekFile())));
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        if (gatehouse != null) {
            gatehouse.close();
        }
    }

    private static JsonObject provider(String name, String redirectUri) {
        return new JsonObject().put("name", name)
                .put("authorizeUrl", keycloak.authorizationEndpoint(ACME).toString())
                .put("tokenUrl", keycloak.tokenEndpoint(ACME).toString())
                .put("revocationUrl", keycloak.revocationEndpoint(ACME).toString())
                .put("clientId", CLIENT)
                .put("scopes", new JsonArray().add("openid"))
                .put("redirectUri", redirectUri)
                .put("sandboxVariable", VARIABLE)
                .put("apiCidrs", new JsonArray().add("127.0.0.1/32"))
                .put("apiPort", keycloak.baseUrl().getPort());
    }

    @Test
    void connect_status_sandbox_refresh_disconnect() throws Exception {
        String session = session("alice");
        BrowserLogin browser = newKeycloakUser("byos-alice");

        JsonObject started = start(session, PROVIDER, Optional.of(CONSOLE + "/settings?tab=byos"));
        URI authorize = URI.create(started.getString("authorize_url"));
        assertThat(authorize.toString()).startsWith(keycloak.authorizationEndpoint(ACME).toString())
                .contains("code_challenge_method=S256", "code_challenge=", "state=", "client_id=" + CLIENT)
                .doesNotContain("code_verifier");
        HttpResponse<String> callback = get(browser.authorize(authorize, "byos-alice", PASSWORD), Optional.empty());

        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(303);
        assertThat(callback.headers().firstValue("Location")).contains(CONSOLE
                + "/settings?tab=byos&byos=keycloak&outcome=connected");
        assertThat(callback.headers().firstValue("Referrer-Policy")).contains("no-referrer");
        JsonObject status = status(session, PROVIDER);
        assertThat(status.getBoolean("connected")).isTrue();
        assertThat(status.getString("kind")).isEqualTo("oauth");
        assertThat(status.getString("status")).isEqualTo("connected");
        assertThat(status.getJsonArray("scopes").getList()).contains("openid");
        assertThat(Instant.parse(status.getString("expires_at"))).isAfter(clock.instant().plusSeconds(200));
        assertThat(status.getString("last_refresh_at")).isNull();

        Map<String, Object> row = row("alice", PROVIDER);
        String access = open(row, "alice", "credential_sealed", "credential");
        String refresh = open(row, "alice", "refresh_sealed", "refresh");
        assertThat(Keycloak.payload(access).path("iss").asText()).isEqualTo(keycloak.issuer(ACME));
        assertThat(row.values()).allSatisfy(value -> assertThat(String.valueOf(value))
                .doesNotContain(access, refresh, access.substring(access.lastIndexOf('.') + 1)));
        assertThat(status.encode()).doesNotContain(access, refresh);
        assertThat(audited("byos.connected", "alice")).containsExactly("success");

        // A BYOS sandbox gets the access token in the provider's variable, and no gateway token.
        String sandbox = createSandbox(session, PROVIDER);
        awaitSandbox(session, sandbox, "running");
        JsonObject env = new JsonObject(proxyGet(session, sandbox, "/env"));
        assertThat(env.getString(VARIABLE)).isEqualTo(access);
        assertThat(env.fieldNames()).doesNotContain("LLM_GATEWAY_TOKEN", "OPENAI_API_KEY", "NEWAPI_KEY",
                "LLM_GATEWAY_URL");
        Path credentialFile = Path.of(env.getString(VARIABLE + "_FILE"));

        // Half-way through the token's five minutes it is refreshed; Keycloak rotates the refresh token.
        clock.advance(Duration.ofMinutes(3));
        Await.until("a refresh", PASS, () -> status(session, PROVIDER).getString("last_refresh_at") != null);
        Map<String, Object> refreshed = row("alice", PROVIDER);
        String newAccess = open(refreshed, "alice", "credential_sealed", "credential");
        String newRefresh = open(refreshed, "alice", "refresh_sealed", "refresh");
        assertThat(newAccess).isNotEqualTo(access);
        assertThat(newRefresh).isNotEqualTo(refresh);
        assertThat((long) refreshed.get("version")).isEqualTo((long) row.get("version") + 1);
        Await.until("the refreshed token in the sandbox", PASS, () -> read(credentialFile).equals(newAccess));

        HttpResponse<String> disconnected = delete(session, PROVIDER);

        assertThat(disconnected.statusCode()).as(disconnected.body()).isEqualTo(200);
        assertThat(new JsonObject(disconnected.body()).getString("revocation")).isEqualTo("revoked");
        assertThat(refreshGrant(newRefresh).statusCode()).isEqualTo(400);
        assertThat(status(session, PROVIDER).getBoolean("connected")).isFalse();
        assertThat(count("SELECT COUNT(*) FROM byos_connections WHERE owner_subject = 'alice'")).isZero();
        assertThat(audited("byos.disconnected", "alice")).containsExactly("success");
        JsonObject stopped = awaitSandbox(session, sandbox, "stopped");
        assertThat(stopped.getString("reason")).isEqualTo("Its owner's subscription of keycloak was disconnected.");
        assertThat(delete(session, PROVIDER).statusCode()).isEqualTo(404);
        assertNothingLogged(access, refresh, newAccess, newRefresh);
    }

    @Test
    void refusedRefresh_marksTheConnectionBroken_andIsNotRetried() {
        String session = session("bob");
        connect(session, newKeycloakUser("byos-bob"), "byos-bob");
        String sandbox = createSandbox(session, PROVIDER);
        awaitSandbox(session, sandbox, "running");
        String refresh = open(row("bob", PROVIDER), "bob", "refresh_sealed", "refresh");
        assertThat(revokeAtKeycloak(refresh).statusCode()).isEqualTo(200);

        clock.advance(Duration.ofMinutes(3));
        Await.until("the connection broken", PASS, () -> "broken".equals(status(session, PROVIDER).getString("status")));

        JsonObject status = status(session, PROVIDER);
        assertThat(status.getString("last_error")).isEqualTo("The provider refused: invalid_grant. Connect the"
                + " subscription again.");
        assertThat(status.getString("last_refresh_at")).isNull();
        assertThat(audited("byos.refresh_failed", "bob")).containsExactly("refused");
        assertThat(awaitSandbox(session, sandbox, "stopped").getString("reason")).isEqualTo("Its owner's subscription"
                + " of keycloak broke (The provider refused: invalid_grant. Connect the subscription again.).");
        assertRefused(createSandboxResponse(session, PROVIDER), 409, "subscription_broken");
        clock.advance(Duration.ofMinutes(3));
        sleep(Duration.ofSeconds(1));
        assertThat(audited("byos.refresh_failed", "bob")).containsExactly("refused");
        assertThat(delete(session, PROVIDER).statusCode()).isEqualTo(200);
    }

    @Test
    void badStates_areRefused_andUsedUp() {
        String session = session("carol");
        BrowserLogin browser = newKeycloakUser("byos-carol");
        URI callback = browser.authorize(URI.create(start(session, PROVIDER, Optional.empty())
                .getString("authorize_url")), "byos-carol", PASSWORD);
        assertThat(get(callback, Optional.empty()).statusCode()).isEqualTo(303);

        assertRefused(get(callback, Optional.empty()), 400, "invalid_state");
        assertRefused(get(callbackWith(Map.of("code", "x")), Optional.empty()), 400, "invalid_state");
        assertRefused(get(callbackWith(Map.of("state", "made-up", "code", "x")), Optional.empty()), 400,
                "invalid_state");
        String otherProvidersState = stateOf(start(session, "keycloak-b", Optional.empty()));
        assertRefused(get(callbackWith(Map.of("state", otherProvidersState, "code", "x")), Optional.empty()), 400,
                "invalid_state");

        String expiring = stateOf(start(session, PROVIDER, Optional.empty()));
        clock.advance(Duration.ofMinutes(11));
        assertRefused(get(callbackWith(Map.of("state", expiring, "code", "x")), Optional.empty()), 400,
                "state_expired");
        assertRefused(get(callbackWith(Map.of("state", expiring, "code", "x")), Optional.empty()), 400,
                "invalid_state");

        String carols = stateOf(start(session, PROVIDER, Optional.empty()));
        assertRefused(get(callbackWith(Map.of("state", carols, "code", "x")), Optional.of(session("mallory"))), 403,
                "wrong_user");
        assertRefused(get(callbackWith(Map.of("state", carols, "code", "x")), Optional.empty()), 400, "invalid_state");
        assertThat(delete(session, PROVIDER).statusCode()).isEqualTo(200);
    }

    @Test
    void codeForAnotherVerifier_isRefusedByTheProvider_nothingStored() {
        String session = session("dave");
        BrowserLogin browser = newKeycloakUser("byos-dave");
        String firstState = stateOf(start(session, PROVIDER, Optional.empty()));
        URI second = browser.authorize(URI.create(start(session, PROVIDER, Optional.empty()).getString("authorize_url")),
                "byos-dave", PASSWORD);
        String secondCode = query(second).get("code");

        HttpResponse<String> response = get(callbackWith(Map.of("state", firstState, "code", secondCode)),
                Optional.empty());

        assertThat(response.statusCode()).isEqualTo(303);
        assertThat(response.headers().firstValue("Location"))
                .contains(CONSOLE + "?byos=keycloak&outcome=failed&error=exchange_failed");
        assertThat(status(session, PROVIDER).getBoolean("connected")).isFalse();
        assertThat(audited("byos.connected", "dave")).containsExactly("refused");
        assertThat(get(second, Optional.empty()).statusCode()).as("its own state, but the code is used up").isEqualTo(303);
        assertThat(status(session, PROVIDER).getBoolean("connected")).isFalse();
    }

    @Test
    void providerError_sendsTheBrowserBackWithIt_whateverItSays() {
        String session = session("erin");

        HttpResponse<String> denied = get(callbackWith(Map.of("state", stateOf(start(session, PROVIDER, Optional.empty())),
                "error", "access_denied", "error_description", "The user said no")), Optional.empty());
        HttpResponse<String> odd = get(callbackWith(Map.of("state", stateOf(start(session, PROVIDER, Optional.empty())),
                "error", "<script>alert(1)</script>")), Optional.empty());

        assertThat(denied.headers().firstValue("Location")).contains(CONSOLE + "?byos=keycloak&outcome=denied&error=access_denied");
        assertThat(odd.headers().firstValue("Location")).contains(CONSOLE + "?byos=keycloak&outcome=failed&error=provider_error");
        assertThat(status(session, PROVIDER).getBoolean("connected")).isFalse();
    }

    @Test
    void returnTargetOutsideTheConsole_isRefused_beforeAnythingStarts() {
        HttpResponse<String> response = post("/api/v1/sandbox/byos/keycloak/start", session("frank"),
                new JsonObject().put("return_to", "https://evil.example/app").encode());

        assertRefused(response, 400, "redirect_not_allowed");
        assertThat(count("SELECT COUNT(*) FROM byos_states WHERE owner_subject = 'frank'")).isZero();
    }

    @Test
    void startingManyConnections_isLimited() {
        String session = session("otto");
        for (int i = 0; i < Subscriptions.MAX_STARTED; i++) {
            start(session, PROVIDER, Optional.empty());
        }

        assertRefused(post("/api/v1/sandbox/byos/keycloak/start", session, ""), 429, "too_many_started");
        assertThat(start(session("otto-other"), PROVIDER, Optional.empty()).getString("authorize_url")).isNotEmpty();
    }

    @Test
    void anotherUsersSubscription_isNeitherShownNorDeleted() {
        String owner = session("gina");
        connect(owner, newKeycloakUser("byos-gina"), "byos-gina");
        String other = session("hank");
        String sameNameOtherOrganization = session("gina", "globex");

        assertThat(status(other, PROVIDER).getBoolean("connected")).isFalse();
        assertThat(status(sameNameOtherOrganization, PROVIDER).getBoolean("connected")).isFalse();
        assertRefused(delete(other, PROVIDER), 404, "not_connected");
        assertRefused(delete(sameNameOtherOrganization, PROVIDER), 404, "not_connected");

        assertThat(status(owner, PROVIDER).getBoolean("connected")).isTrue();
        assertThat(delete(owner, PROVIDER).statusCode()).isEqualTo(200);
    }

    @Test
    void sealedCredential_copiedToAnotherUsersRow_doesNotOpen() {
        String session = session("ivy");
        connect(session, newKeycloakUser("byos-ivy"), "byos-ivy");
        Map<String, Object> ivys = row("ivy", PROVIDER);

        assertThat(putKey(session("jack"), PROVIDER, "jacks-own-key").statusCode()).isEqualTo(200);
        gatehouse.database().jdbi().useHandle(handle -> handle.createUpdate(
                "UPDATE byos_connections SET credential_sealed = :sealed WHERE owner_subject = 'jack'")
                .bind("sealed", ivys.get("credential_sealed")).execute());

        HttpResponse<String> sandbox = createSandboxResponse(session("jack"), PROVIDER);
        assertRefused(sandbox, 409, "subscription_unreadable");
        assertThat(sandbox.body()).doesNotContain(open(ivys, "ivy", "credential_sealed", "credential"));
        assertThat(delete(session, PROVIDER).statusCode()).isEqualTo(200);
        assertThat(delete(session("jack"), PROVIDER).statusCode()).isEqualTo(200);
    }

    @Test
    void providerNames_notConfigured503_notANameAt400_onEveryEndpoint() {
        String session = session("kim");
        for (HttpResponse<String> response : everyEndpoint(session, "openai")) {
            assertRefused(response, 503, "provider_not_configured");
            assertThat(new JsonObject(response.body()).getString("detail"))
                    .contains("add it to byos.providers", "configured: keycloak, keycloak-b, pasted");
        }
        for (HttpResponse<String> response : everyEndpoint(session, "Not_A_Name")) {
            assertRefused(response, 400, "invalid_provider");
        }
        assertRefused(post("/api/v1/sandbox/byos/pasted/start", session, ""), 503, "oauth_not_configured");
        assertRefused(get(gatehouse.localUrl().resolve("/api/v1/sandbox/byos/keycloak/status"), Optional.empty()), 401,
                "missing_token");
        assertRefused(post("/api/v1/sandbox/byos/keycloak/start", "not-a-token", ""), 401, "malformed_token");
    }

    @Test
    void pastedKey_isStoredSealed_shownNever_andBadKeysAreRefused() {
        String session = session("lea");

        HttpResponse<String> saved = putKey(session, "pasted", "sk-pasted-0123456789");

        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
        assertThat(saved.body()).doesNotContain("sk-pasted-0123456789");
        JsonObject status = new JsonObject(saved.body());
        assertThat(status.getString("kind")).isEqualTo("key");
        assertThat(status.getBoolean("oauth")).isFalse();
        Map<String, Object> row = row("lea", "pasted");
        assertThat(open(row, "lea", "credential_sealed", "credential")).isEqualTo("sk-pasted-0123456789");
        assertThat(row.values()).allSatisfy(value -> assertThat(String.valueOf(value)).doesNotContain("sk-pasted"));
        assertRefused(putKey(session, "pasted", "has spaces in it"), 400, "invalid_key");
        assertRefused(putKey(session, "pasted", "x".repeat(4097)), 400, "invalid_key");
        assertRefused(send(HttpRequest.newBuilder(gatehouse.localUrl().resolve("/api/v1/sandbox/byos/pasted/key"))
                .header("Authorization", "Bearer " + session).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"key\": \"a\", \"extra\": 1}")).build()), 400, "unknown_field");
        assertRefused(send(HttpRequest.newBuilder(gatehouse.localUrl().resolve("/api/v1/sandbox/byos/pasted/key"))
                .header("Authorization", "Bearer " + session).header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofString("sk-1")).build()), 415, "unsupported_media_type");
        JsonObject list = new JsonObject(get(gatehouse.localUrl().resolve("/api/v1/sandbox/byos"), Optional.of(session)).body());
        assertThat(list.getJsonArray("providers").stream().map(JsonObject.class::cast)
                .map(provider -> provider.getString("provider") + "=" + provider.getBoolean("connected")))
                .containsExactly("keycloak=false", "keycloak-b=false", "pasted=true");
        HttpResponse<String> deleted = delete(session, "pasted");
        assertThat(new JsonObject(deleted.body()).getString("revocation")).isEqualTo("not_supported");
        assertNothingLogged("sk-pasted-0123456789");
    }

    @Test
    void withoutAConsoleUrl_theCallbackAnswersWithAPageOfItsOwn() {
        int port = TestGatehouse.freePort();
        keycloak.createPkceClient(ACME, CLIENT + "-page", callbackUrl(port, PROVIDER));
        Map<String, String> env = new HashMap<>();
        env.put("GATEHOUSE_SERVER_PORT", Integer.toString(port));
        env.put("GATEHOUSE_ROLES", "byos");
        env.put("GATEHOUSE_BYOS_PROVIDERS", new JsonArray().add(provider(PROVIDER, callbackUrl(port, PROVIDER))
                .put("clientId", CLIENT + "-page")).encode());
        try (Gatehouse pageOnly = Gatehouse.start(TestGatehouse.config(dataDir.resolve("page-only"), env))) {
            String session = SigningTokenMinter.of(pageOnly.keyRing(), config.tokens(), Clock.systemUTC())
                    .mint(LocalSession.request("mona", "acme", List.of(), List.of(), Duration.ofHours(1),
                            config.tokens().issuer())).token();
            HttpResponse<String> started = send(HttpRequest.newBuilder(pageOnly.localUrl()
                            .resolve("/api/v1/sandbox/byos/keycloak/start"))
                    .header("Authorization", "Bearer " + session).POST(HttpRequest.BodyPublishers.noBody()).build());
            URI back = newKeycloakUser("byos-mona").authorize(URI.create(new JsonObject(started.body())
                    .getString("authorize_url")), "byos-mona", PASSWORD);

            HttpResponse<String> page = get(back, Optional.empty());

            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
            assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).startsWith("default-src 'none'");
            assertThat(page.body()).contains("Your keycloak subscription is connected.");
            assertThat(page.body()).doesNotContain(query(back).get("code"));
        }
    }

    // --- helpers ---

    private static List<HttpResponse<String>> everyEndpoint(String session, String provider) {
        String base = "/api/v1/sandbox/byos/" + provider;
        return List.of(
                post(base + "/start", session, ""),
                get(gatehouse.localUrl().resolve(base + "/callback?state=x&code=y"), Optional.empty()),
                get(gatehouse.localUrl().resolve(base + "/status"), Optional.of(session)),
                putKey(session, provider, "sk-1"),
                delete(session, provider));
    }

    private static void connect(String session, BrowserLogin browser, String user) {
        URI back = browser.authorize(URI.create(start(session, PROVIDER, Optional.empty()).getString("authorize_url")),
                user, PASSWORD);
        HttpResponse<String> response = get(back, Optional.empty());
        assertThat(response.headers().firstValue("Location")).contains(CONSOLE + "?byos=keycloak&outcome=connected");
    }

    private static BrowserLogin newKeycloakUser(String username) {
        keycloak.createUser(ACME, username, PASSWORD, Map.of("org", "acme"));
        return new BrowserLogin();
    }

    private static String session(String user) {
        return session(user, "acme");
    }

    private static String session(String user, String organization) {
        return SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), Clock.systemUTC()).mint(LocalSession.request(
                user, organization, List.of(), List.of(), Duration.ofHours(1), config.tokens().issuer())).token();
    }

    private static JsonObject start(String session, String provider, Optional<String> returnTo) {
        HttpResponse<String> response = post("/api/v1/sandbox/byos/" + provider + "/start", session,
                returnTo.map(target -> new JsonObject().put("return_to", target).encode()).orElse(""));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    private static String stateOf(JsonObject started) {
        return query(URI.create(started.getString("authorize_url"))).get("state");
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String[] parts = pair.split("=", 2);
            parameters.put(URLDecoder.decode(parts[0], UTF_8), parts.length == 2 ? URLDecoder.decode(parts[1], UTF_8) : "");
        }
        return parameters;
    }

    private static URI callbackWith(Map<String, String> parameters) {
        StringBuilder query = new StringBuilder();
        parameters.forEach((name, value) -> query.append(query.isEmpty() ? "?" : "&").append(name).append('=')
                .append(URLEncoder.encode(value, UTF_8)));
        return gatehouse.localUrl().resolve("/api/v1/sandbox/byos/" + PROVIDER + "/callback" + query);
    }

    private static JsonObject status(String session, String provider) {
        HttpResponse<String> response = get(gatehouse.localUrl().resolve("/api/v1/sandbox/byos/" + provider + "/status"),
                Optional.of(session));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    private static HttpResponse<String> putKey(String session, String provider, String key) {
        return send(HttpRequest.newBuilder(gatehouse.localUrl().resolve("/api/v1/sandbox/byos/" + provider + "/key"))
                .header("Authorization", "Bearer " + session).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject().put("key", key).encode())).build());
    }

    private static HttpResponse<String> delete(String session, String provider) {
        return send(HttpRequest.newBuilder(gatehouse.localUrl().resolve("/api/v1/sandbox/byos/" + provider))
                .header("Authorization", "Bearer " + session).DELETE().build());
    }

    private static HttpResponse<String> post(String path, String session, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(gatehouse.localUrl().resolve(path))
                .header("Authorization", "Bearer " + session);
        if (!body.isEmpty()) {
            request.header("Content-Type", "application/json");
        }
        return send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static HttpResponse<String> get(URI uri, Optional<String> session) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        session.ifPresent(token -> request.header("Authorization", "Bearer " + token));
        return send(request.GET().build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        return TestGatehouse.send(request);
    }

    private static String createSandbox(String session, String provider) {
        HttpResponse<String> response = createSandboxResponse(session, provider);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return new JsonObject(response.body()).getString("id");
    }

    private static HttpResponse<String> createSandboxResponse(String session, String provider) {
        return post("/api/v1/sandbox/sessions", session, new JsonObject().put("profile", "echo").put("mode", "byos")
                .put("provider", provider).encode());
    }

    private static JsonObject awaitSandbox(String session, String id, String status) {
        Await.until("sandbox " + status, Duration.ofSeconds(30), () -> new JsonObject(get(gatehouse.localUrl()
                .resolve("/api/v1/sandbox/sessions/" + id), Optional.of(session)).body()).getString("status").equals(status));
        return new JsonObject(get(gatehouse.localUrl().resolve("/api/v1/sandbox/sessions/" + id), Optional.of(session)).body());
    }

    private static String proxyGet(String session, String id, String path) {
        return get(gatehouse.localUrl().resolve("/sandboxes/" + id + path), Optional.of(session)).body();
    }

    private static Map<String, Object> row(String subject, String provider) {
        return gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT * FROM byos_connections WHERE owner_subject = :subject AND provider = :provider")
                .bind("subject", subject).bind("provider", provider).mapToMap().one());
    }

    /** Opens a sealed column as Gatehouse does, with the generated key-encryption key of the data directory. */
    private static String open(Map<String, Object> row, String subject, String column, String what) {
        ByosOwner owner = new ByosOwner(subject, config.tokens().issuer().toString(), "acme");
        return new String(vault.open((String) row.get(column), owner.context((String) row.get("provider"), what)), UTF_8);
    }

    private static long count(String sql) {
        return gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(sql).mapTo(Long.class).one());
    }

    private static List<String> audited(String action, String subject) {
        return gatehouse.database().jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT outcome FROM audit_events WHERE action = :action AND actor_subject IN (:subject, 'byos-refresher')"
                                + " AND detail LIKE :owner ORDER BY occurred_at")
                .bind("action", action).bind("subject", subject).bind("owner", "%\"owner\":\"" + subject + "\"%")
                .mapTo(String.class).list());
    }

    private static HttpResponse<String> refreshGrant(String refreshToken) {
        return send(HttpRequest.newBuilder(keycloak.tokenEndpoint(ACME))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&client_id=" + CLIENT
                        + "&refresh_token=" + URLEncoder.encode(refreshToken, UTF_8))).build());
    }

    private static HttpResponse<String> revokeAtKeycloak(String refreshToken) {
        return send(HttpRequest.newBuilder(keycloak.revocationEndpoint(ACME))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token_type_hint=refresh_token&client_id=" + CLIENT
                        + "&token=" + URLEncoder.encode(refreshToken, UTF_8))).build());
    }

    private static void assertRefused(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(new JsonObject(response.body()).getString("code")).isEqualTo(code);
    }

    private static void assertNothingLogged(String... secrets) {
        for (ILoggingEvent event : List.copyOf(logs.list)) {
            String text = event.getFormattedMessage() + " " + event.getKeyValuePairs()
                    + (event.getThrowableProxy() == null ? "" : " " + event.getThrowableProxy().getMessage());
            for (String secret : secrets) {
                assertThat(text).doesNotContain(secret);
            }
        }
    }

    private static String callbackUrl(int port, String provider) {
        return "http://127.0.0.1:" + port + "/api/v1/sandbox/byos/" + provider + "/callback";
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
