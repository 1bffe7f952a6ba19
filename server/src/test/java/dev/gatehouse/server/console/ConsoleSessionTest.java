package dev.gatehouse.server.console;

import static dev.gatehouse.server.testing.keycloak.KeycloakExtension.ACME;
import static dev.gatehouse.server.testing.keycloak.KeycloakExtension.GLOBEX;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.testing.MutableClock;
import dev.gatehouse.server.testing.keycloak.BrowserLogin;
import dev.gatehouse.server.testing.keycloak.Keycloak;
import dev.gatehouse.server.testing.keycloak.KeycloakExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's backend-for-frontend over HTTP, against a real Keycloak: local and Keycloak sign-in
 * (authorization code + PKCE through Keycloak's login form), the session cookie's attributes, CSRF on
 * every state-changing cookie call, the organization boundary and the admin capability through the
 * same API, idle expiry, and sign-out ending the session on the server.
 */
class ConsoleSessionTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final String CLIENT = "console-test";
    private static final Duration IDLE = Duration.ofMinutes(30);

    @RegisterExtension
    static final KeycloakExtension KEYCLOAK = new KeycloakExtension();

    @TempDir
    static Path dataDir;

    static Keycloak keycloak;
    static Gatehouse gatehouse;
    static URI base;
    static String olaId;
    static final MutableClock clock = new MutableClock(Instant.now());

    @BeforeAll
    static void start() {
        keycloak = KEYCLOAK.keycloak();
        int port = TestGatehouse.freePort();
        base = URI.create("http://127.0.0.1:" + port);
        keycloak.createPkceClient(ACME, CLIENT, base + "/console/callback");
        keycloak.createUser(ACME, "console-kim", PASSWORD, Map.of("org", "acme"));
        keycloak.assignRealmRole(ACME, "console-kim", "gatehouse-admin");
        keycloak.createUser(ACME, "console-noor", PASSWORD, Map.of());
        olaId = keycloak.createUser(ACME, "console-ola", PASSWORD, Map.of("org", "acme"));
        keycloak.createPkceClient(GLOBEX, CLIENT, base + "/console/callback");
        keycloak.createUser(GLOBEX, "console-gil", PASSWORD, Map.of("org", "globex"));
        keycloak.assignRealmRole(GLOBEX, "console-gil", "gatehouse-admin");
        gatehouse = Gatehouse.builder(TestGatehouse.config(dataDir, Map.of(
                        "GATEHOUSE_SERVER_PORT", String.valueOf(port),
                        "GATEHOUSE_SERVER_PUBLIC_URL", base.toString(),
                        "GATEHOUSE_IDENTITY_TOPOLOGY", "shared-sovereign",
                        "GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", keycloak.issuer(ACME) + "," + keycloak.issuer(GLOBEX),
                        "GATEHOUSE_IDENTITY_ROLE_CAPABILITIES", "gatehouse-user=llm:use;gatehouse-admin=gatehouse:admin",
                        "GATEHOUSE_ADMIN_SERVICE_ACCOUNTS_ISSUERS", keycloak.issuer(ACME),
                        "GATEHOUSE_CONSOLE_KEYCLOAK_CLIENT_ID", CLIENT,
                        "GATEHOUSE_CONSOLE_IDLE_TIMEOUT", IDLE.toMinutes() + "m")))
                .clock(clock)
                .start();
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
    }

    @Test
    void signedOut_theSessionSaysHowToSignIn() {
        HttpResponse<String> response = send("GET", "/console/api/session", null, null, null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(response.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("script-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");
        assertThat(response.headers().firstValue("X-Frame-Options")).contains("DENY");
        JsonObject body = new JsonObject(response.body());
        assertThat(body.getBoolean("signed_in")).isFalse();
        assertThat(body.getJsonObject("sign_in").getBoolean("local")).isTrue();
        assertThat(body.getJsonObject("sign_in").getJsonArray("keycloak")).containsExactly(
                new JsonObject().put("name", "acme").put("url", "/console/login/keycloak?issuer=0"),
                new JsonObject().put("name", "globex").put("url", "/console/login/keycloak?issuer=1"));
    }

    @Test
    void localSignIn_setsAHostOnlySecureHttpOnlyStrictCookie_andTheSessionShowsThePrincipal() {
        HttpResponse<String> response = send("POST", "/console/login/local", null, null,
                "{\"user\":\"ada\",\"organization\":\"acme\",\"capabilities\":[\"org:admin\"]}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
        String cookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith("__Host-gatehouse-console=").contains("Path=/").contains("Secure")
                .containsIgnoringCase("HttpOnly").contains("SameSite=Strict").doesNotContain("Domain");
        JsonObject session = session(cookieOf(response));
        assertThat(session.getBoolean("signed_in")).isTrue();
        assertThat(session.getString("method")).isEqualTo("local");
        assertThat(session.getString("csrf_token")).hasSizeGreaterThanOrEqualTo(43);
        JsonObject principal = session.getJsonObject("principal");
        assertThat(principal.getString("user")).isEqualTo("ada");
        assertThat(principal.getString("organization")).isEqualTo("acme");
        assertThat(principal.getJsonArray("capabilities").getList()).containsExactly("llm:use", "org:admin");
    }

    @Test
    void localSignIn_badInput_isRefusedWithAReason() {
        assertProblem(send("POST", "/console/login/local", null, null, "{\"user\":\"ada\"}"), 400, "invalid_organization");
        assertProblem(send("POST", "/console/login/local", null, null, "{\"user\":\" \",\"organization\":\"acme\"}"),
                400, "invalid_user");
        assertProblem(send("POST", "/console/login/local", null, null,
                "{\"user\":\"ada\",\"organization\":\"acme\",\"capabilities\":[\"root\"]}"), 400, "invalid_capabilities");
        assertProblem(send("POST", "/console/login/local", null, null,
                "{\"user\":\"ada\",\"organization\":\"acme\",\"admin\":true}"), 400, "unknown_field");
        assertProblem(send("POST", "/console/login/local", null, null, "user=ada"), 400, "malformed_json");
        HttpResponse<String> crossSite = send(HttpRequest.newBuilder(base.resolve("/console/login/local"))
                .header("Origin", "https://evil.example")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"ada\",\"organization\":\"acme\"}")));
        assertProblem(crossSite, 403, "cross_origin");
        assertThat(crossSite.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void stateChangingCookieCalls_needTheCsrfToken_andNothingHappensWithout() {
        String cookie = signInLocally("bea", "acme", List.of());
        String csrf = session(cookie).getString("csrf_token");

        assertProblem(send("POST", "/auth/pat", cookie, null, "{\"name\":\"no-csrf\"}"), 403, "csrf_token_invalid");
        assertProblem(send("POST", "/auth/pat", cookie, (csrf.startsWith("A") ? "B" : "A") + csrf.substring(1),
                "{\"name\":\"forged\"}"),
                403, "csrf_token_invalid");
        assertThat(pats(cookie)).isEmpty();

        HttpResponse<String> created = send("POST", "/auth/pat", cookie, csrf, "{\"name\":\"with-csrf\",\"ttl\":\"1d\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = new JsonObject(created.body()).getString("id");
        assertThat(pats(cookie)).extracting(pat -> pat.getString("name")).containsExactly("with-csrf");

        assertProblem(send("DELETE", "/auth/pats/" + id, cookie, null, null), 403, "csrf_token_invalid");
        assertThat(send("DELETE", "/auth/pats/" + id, cookie, csrf, null).statusCode()).isEqualTo(204);
        assertThat(pats(cookie)).extracting(pat -> pat.getString("status")).containsExactly("revoked");
    }

    @Test
    void aMemberNeverSeesAnotherOrganizationsData() {
        String acme = signInLocally("cyd", "acme", List.of("org:admin"));
        String acmeCsrf = session(acme).getString("csrf_token");
        String id = new JsonObject(send("POST", "/auth/pat", acme, acmeCsrf, "{\"name\":\"acme-ci\"}").body()).getString("id");
        String globex = signInLocally("cyd", "globex", List.of("org:admin"));
        String globexCsrf = session(globex).getString("csrf_token");

        assertThat(pats(globex)).isEmpty();
        assertThat(send("DELETE", "/auth/pats/" + id, globex, globexCsrf, null).statusCode()).isEqualTo(404);
        assertThat(pats(acme)).extracting(pat -> pat.getString("status")).containsExactly("active");
        assertThat(new JsonObject(send("GET", "/api/v1/sandbox/sessions", globex, null, null).body())
                .getJsonArray("sandboxes")).isEmpty();
    }

    @Test
    void theAdminApi_admitsAConsoleSessionOnlyWithGatehouseAdmin() {
        String member = signInLocally("dee", "acme", List.of("org:admin"));
        assertProblem(send("GET", "/admin/audit", member, null, null), 403, "insufficient_capability");

        String memberCsrf = session(member).getString("csrf_token");
        String id = new JsonObject(send("POST", "/auth/pat", member, memberCsrf, "{\"name\":\"audited\"}").body())
                .getString("id");
        String operator = signInLocally("otto", "acme", List.of("gatehouse:admin"));
        HttpResponse<String> audit = send("GET", "/admin/audit?action=pat.issued", operator, null, null);

        assertThat(audit.statusCode()).as(audit.body()).isEqualTo(200);
        assertThat(new JsonObject(audit.body()).getJsonArray("events").stream().map(JsonObject.class::cast)
                .filter(event -> id.equals(event.getString("target"))).toList())
                .singleElement().satisfies(event -> assertThat(event.getJsonObject("actor").getString("subject"))
                        .isEqualTo("dee"));
        assertProblem(send("DELETE", "/admin/tokens/sandbox/sb-none", operator, null, null), 403, "csrf_token_invalid");
    }

    @Test
    void signOut_endsTheSessionOnTheServer_soTheOldCookieIsWorthNothing() {
        String cookie = signInLocally("eve", "acme", List.of());
        String csrf = session(cookie).getString("csrf_token");

        assertProblem(send("POST", "/console/logout", cookie, null, null), 403, "csrf_token_invalid");
        assertThat(pats(cookie)).isNotNull();
        HttpResponse<String> out = send("POST", "/console/logout", cookie, csrf, null);

        assertThat(out.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(out.body()).getValue("end_session_url")).isNull();
        assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).startsWith("__Host-gatehouse-console=;")
                .contains("Max-Age=0");
        assertThat(session(cookie).getBoolean("signed_in")).isFalse();
        assertProblem(send("GET", "/auth/pats", cookie, null, null), 401, "missing_token");
    }

    @Test
    void anIdleSession_ends() {
        String cookie = signInLocally("fay", "acme", List.of());
        clock.advance(IDLE.minusMinutes(1));
        assertThat(session(cookie).getBoolean("signed_in")).isTrue();

        clock.advance(IDLE.plusMinutes(1));

        assertThat(session(cookie).getBoolean("signed_in")).isFalse();
    }

    @Test
    void keycloakSignIn_throughTheLoginForm_opensASessionWithoutHandingOutATokenOfKeycloaks() {
        HttpResponse<String> start = send("GET", "/console/login/keycloak?issuer=0", null, null, null);

        assertThat(start.statusCode()).isEqualTo(302);
        URI authorize = URI.create(start.headers().firstValue("Location").orElseThrow());
        assertThat(authorize.toString()).startsWith(keycloak.issuer(ACME) + "/protocol/openid-connect/auth?");
        Map<String, String> query = query(authorize);
        assertThat(query).containsEntry("client_id", CLIENT).containsEntry("code_challenge_method", "S256")
                .containsEntry("response_type", "code").containsEntry("redirect_uri", base + "/console/callback")
                .containsKey("code_challenge").containsKey("state");
        String signInCookie = cookieOf(start);
        assertThat(start.headers().firstValue("Set-Cookie").orElseThrow()).startsWith("__Host-gatehouse-sign-in=")
                .contains("SameSite=Lax").containsIgnoringCase("HttpOnly").contains("Secure");

        URI callback = new BrowserLogin().authorize(authorize, "console-kim", PASSWORD);
        HttpResponse<String> back = send(HttpRequest.newBuilder(callback).header("Cookie", signInCookie).GET());

        assertThat(back.statusCode()).as(back.body()).isEqualTo(303);
        assertThat(back.headers().firstValue("Location")).contains("/console/");
        String cookie = back.headers().allValues("Set-Cookie").stream()
                .filter(value -> value.startsWith("__Host-gatehouse-console=")).map(value -> value.split(";", 2)[0])
                .findFirst().orElseThrow();
        JsonObject session = session(cookie);
        assertThat(session.encode()).doesNotContain("eyJ");
        assertThat(session.getString("method")).isEqualTo("keycloak");
        JsonObject principal = session.getJsonObject("principal");
        assertThat(principal.getString("name")).isEqualTo("console-kim");
        assertThat(principal.getString("organization")).isEqualTo("acme");
        assertThat(principal.getString("issuer")).isEqualTo(keycloak.issuer(ACME));
        assertThat(principal.getJsonArray("capabilities").getList()).contains("gatehouse:admin");
        assertThat(send("GET", "/admin/audit?limit=1", cookie, null, null).statusCode()).isEqualTo(200);

        HttpResponse<String> replayed = send(HttpRequest.newBuilder(callback).header("Cookie", signInCookie).GET());
        assertThat(replayed.statusCode()).isEqualTo(400);
        assertThat(replayed.body()).as("the code is used once, at Keycloak").contains("Keycloak refused the sign-in: invalid_grant");

        HttpResponse<String> out = send("POST", "/console/logout", cookie, session.getString("csrf_token"), null);
        URI endSession = URI.create(new JsonObject(out.body()).getString("end_session_url"));
        assertThat(endSession.toString()).startsWith(keycloak.issuer(ACME) + "/protocol/openid-connect/logout?");
        assertThat(query(endSession)).containsEntry("client_id", CLIENT).containsKey("id_token_hint")
                .containsEntry("post_logout_redirect_uri", base + "/console/");
        assertThat(session(cookie).getBoolean("signed_in")).isFalse();
    }

    @Test
    void keycloakCallback_fromAnotherBrowser_orWithoutOrganization_isRefused() {
        HttpResponse<String> start = send("GET", "/console/login/keycloak?issuer=0", null, null, null);
        URI authorize = URI.create(start.headers().firstValue("Location").orElseThrow());
        URI callback = new BrowserLogin().authorize(authorize, "console-kim", PASSWORD);

        HttpResponse<String> noCookie = send(HttpRequest.newBuilder(callback).GET());
        assertThat(noCookie.statusCode()).isEqualTo(400);
        assertThat(noCookie.body()).contains("not started in this browser");
        assertThat(noCookie.headers().allValues("Set-Cookie")).noneMatch(value -> value.startsWith("__Host-gatehouse-console=")
                && !value.contains("Max-Age=0"));

        HttpResponse<String> other = send("GET", "/console/login/keycloak?issuer=0", null, null, null);
        URI otherCallback = new BrowserLogin().authorize(
                URI.create(other.headers().firstValue("Location").orElseThrow()), "console-noor", PASSWORD);
        HttpResponse<String> noOrganization = send(HttpRequest.newBuilder(otherCallback)
                .header("Cookie", cookieOf(other)).GET());
        assertThat(noOrganization.statusCode()).isEqualTo(400);
        assertThat(noOrganization.headers().firstValue("Content-Security-Policy")).isPresent();

        HttpResponse<String> third = send("GET", "/console/login/keycloak?issuer=0", null, null, null);
        URI thirdCallback = new BrowserLogin().authorize(URI.create(third.headers().firstValue("Location").orElseThrow()),
                "console-kim", PASSWORD);
        String sealed = cookieOf(third);
        String tampered = sealed.substring(0, sealed.length() - 2) + (sealed.endsWith("A") ? "BB" : "AA");
        HttpResponse<String> forged = send(HttpRequest.newBuilder(thirdCallback).header("Cookie", tampered).GET());
        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(forged.body()).contains("not started in this browser");
        HttpResponse<String> swapped = send(HttpRequest.newBuilder(thirdCallback).header("Cookie", cookieOf(start)).GET());
        assertThat(swapped.statusCode()).as("another sign-in's cookie: another state").isEqualTo(400);

        assertProblem(send("GET", "/console/login/keycloak?issuer=7", null, null, null), 404, "not_found");
    }

    @Test
    void aRealmTrustedForMembersOnly_cannotMakeAnOperator_andNoConsoleSessionMintsSandboxTokens() {
        String gil = signInWithKeycloak(1, "console-gil");
        assertThat(session(gil).getJsonObject("principal").getJsonArray("capabilities").getList()).contains("gatehouse:admin");
        assertProblem(send("GET", "/admin/audit", gil, null, null), 403, "insufficient_capability");

        String kim = signInWithKeycloak(0, "console-kim");
        String csrf = session(kim).getString("csrf_token");
        assertThat(send("GET", "/admin/audit?limit=1", kim, null, null).statusCode()).isEqualTo(200);
        assertProblem(send("POST", "/admin/tokens/sandbox", kim, csrf,
                "{\"org_id\":\"acme\",\"user_id\":\"kim\",\"sandbox_id\":\"sb-1\"}"), 403, "insufficient_role");
    }

    @Test
    void theCookie_authenticatesNothingThatAnotherSitesPageSent() {
        String cookie = signInLocally("hal", "acme", List.of());
        assertThat(send(HttpRequest.newBuilder(base.resolve("/auth/pats")).header("Cookie", cookie)
                .header("Sec-Fetch-Site", "same-origin").GET()).statusCode()).isEqualTo(200);

        for (String site : List.of("same-site", "cross-site")) {
            assertProblem(send(HttpRequest.newBuilder(base.resolve("/auth/pats")).header("Cookie", cookie)
                    .header("Sec-Fetch-Site", site).GET()), 401, "missing_token");
        }
        assertProblem(send(HttpRequest.newBuilder(base.resolve("/auth/pats")).header("Cookie", cookie)
                .header("Origin", "https://sibling.example").GET()), 401, "missing_token");
    }

    @Test
    void keycloakCallback_withAnotherRealmsIssuer_isRefusedBeforeTheCodeIsUsed() {
        HttpResponse<String> start = send("GET", "/console/login/keycloak?issuer=0", null, null, null);
        URI callback = new BrowserLogin().authorize(URI.create(start.headers().firstValue("Location").orElseThrow()),
                "console-kim", PASSWORD);
        assertThat(query(callback)).containsEntry("iss", keycloak.issuer(ACME));
        URI mixedUp = URI.create(callback.toString().replace(
                "iss=" + java.net.URLEncoder.encode(keycloak.issuer(ACME), StandardCharsets.UTF_8),
                "iss=" + java.net.URLEncoder.encode(keycloak.issuer(GLOBEX), StandardCharsets.UTF_8)));

        HttpResponse<String> refused = send(HttpRequest.newBuilder(mixedUp).header("Cookie", cookieOf(start)).GET());

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("did not come from the realm this sign-in went to");
        assertThat(refused.headers().allValues("Set-Cookie")).noneMatch(value -> value.startsWith("__Host-gatehouse-console=")
                && !value.contains("Max-Age=0"));
    }

    @Test
    void aKeycloakSession_isCheckedAgainstKeycloak_andEndsSoonAfterTheUserIsDisabledThere() {
        String cookie = signInWithKeycloak(0, "console-ola");
        for (int check = 0; check < 2; check++) {
            clock.advance(ConsoleSessions.CHECK_INTERVAL.plusSeconds(1));
            assertThat(session(cookie).getBoolean("signed_in")).as("check %d: Keycloak still vouches (rotated refresh"
                    + " tokens kept)", check).isTrue();
        }

        keycloak.admin("PUT", "/admin/realms/" + ACME + "/users/" + olaId, "{\"enabled\": false}", 204);
        assertThat(session(cookie).getBoolean("signed_in")).as("not due yet").isTrue();
        clock.advance(ConsoleSessions.CHECK_INTERVAL.plusSeconds(1));

        assertThat(session(cookie).getBoolean("signed_in")).isFalse();
        assertProblem(send("GET", "/auth/pats", cookie, null, null), 401, "missing_token");
    }

    /** Signs {@code user} in through realm {@code issuerIndex}'s login form; the session cookie. */
    private static String signInWithKeycloak(int issuerIndex, String user) {
        HttpResponse<String> start = send("GET", "/console/login/keycloak?issuer=" + issuerIndex, null, null, null);
        URI callback = new BrowserLogin().authorize(URI.create(start.headers().firstValue("Location").orElseThrow()),
                user, PASSWORD);
        HttpResponse<String> back = send(HttpRequest.newBuilder(callback).header("Cookie", cookieOf(start)).GET());
        assertThat(back.statusCode()).as(back.body()).isEqualTo(303);
        return back.headers().allValues("Set-Cookie").stream().filter(value -> value.startsWith("__Host-gatehouse-console="))
                .map(value -> value.split(";", 2)[0]).findFirst().orElseThrow();
    }

    private static String signInLocally(String user, String organization, List<String> capabilities) {
        HttpResponse<String> response = send("POST", "/console/login/local", null, null, new JsonObject()
                .put("user", user).put("organization", organization).put("capabilities", new JsonArray(capabilities))
                .encode());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
        return cookieOf(response);
    }

    private static JsonObject session(String cookie) {
        HttpResponse<String> response = send("GET", "/console/api/session", cookie, null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    private static List<JsonObject> pats(String cookie) {
        HttpResponse<String> response = send("GET", "/auth/pats", cookie, null, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonObject> pats = new ArrayList<>();
        new JsonObject(response.body()).getJsonArray("pats").forEach(pat -> pats.add((JsonObject) pat));
        return pats;
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(new JsonObject(response.body()).getString("code")).isEqualTo(code);
    }

    /** The {@code name=value} of the response's first cookie, as a browser would send it back. */
    private static String cookieOf(HttpResponse<String> response) {
        return response.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
    }

    private static HttpResponse<String> send(String method, String path, String cookie, String csrf, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        Optional.ofNullable(cookie).ifPresent(value -> request.header("Cookie", value));
        Optional.ofNullable(csrf).ifPresent(value -> request.header("X-CSRF-Token", value));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return send(request.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json)));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        return TestGatehouse.send(request.timeout(Duration.ofSeconds(30)).build());
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> query = new java.util.HashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String[] parts = pair.split("=", 2);
            query.put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                    parts.length == 2 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "");
        }
        return query;
    }

}
