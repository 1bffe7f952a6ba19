package dev.gatehouse.server.pat;

import static dev.gatehouse.server.TestGatehouse.ISSUER;
import static dev.gatehouse.server.pat.PatTestSupport.ADMIN_SECRET;
import static dev.gatehouse.server.pat.PatTestSupport.audit;
import static dev.gatehouse.server.pat.PatTestSupport.code;
import static dev.gatehouse.server.pat.PatTestSupport.createPat;
import static dev.gatehouse.server.pat.PatTestSupport.deletePat;
import static dev.gatehouse.server.pat.PatTestSupport.form;
import static dev.gatehouse.server.pat.PatTestSupport.introspect;
import static dev.gatehouse.server.pat.PatTestSupport.listPats;
import static dev.gatehouse.server.pat.PatTestSupport.pat;
import static dev.gatehouse.server.pat.PatTestSupport.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.config.GatehouseConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The personal access token API, introspection, revocation and the audit log against a real
 * Gatehouse on a free port with the embedded SQLite store. Every refusal checks the status, the
 * code and that nothing was written.
 */
class PatApiTest {
    @TempDir
    static Path dataDir;

    static GatehouseConfig config;
    static Gatehouse gatehouse;

    @BeforeAll
    static void start() {
        config = TestGatehouse.config(dataDir, Map.of(
                "GATEHOUSE_ADMIN_SECRET", ADMIN_SECRET,
                // The issuer as an audience lets a PAT reach the session-only routes at all, so the
                // type check (not the audience check) is what refuses it there.
                "GATEHOUSE_PAT_AUDIENCES", "gateway, " + ISSUER));
        gatehouse = Gatehouse.start(config);
    }

    @AfterAll
    static void stop() {
        gatehouse.close();
    }

    @Test
    void create_returnsTheTokenOnce_asAPatOfTheCallersOrganization_andStoresNoValue() throws Exception {
        String alice = newUser();
        String session = session(alice, "acme", List.of("models:read", "models:write"));

        HttpResponse<String> response = createPat(gatehouse, session,
                "{\"name\": \"ci\", \"ttl\": \"30d\", \"audience\": \"gateway\", \"capabilities\": [\"models:read\"]}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonObject body = new JsonObject(response.body());
        assertThat(body.fieldNames()).contains("id", "token", "name", "audience", "capabilities", "created_at",
                "expires_at");
        assertThat(body.getString("name")).isEqualTo("ci");
        assertThat(body.getString("audience")).isEqualTo("gateway");
        assertThat(body.getJsonArray("capabilities").getList()).containsExactly("models:read");
        assertThat(Duration.between(Instant.parse(body.getString("created_at")), Instant.parse(body.getString("expires_at"))))
                .isEqualTo(Duration.ofDays(30));

        var claims = SignedJWT.parse(body.getString("token")).getJWTClaimsSet();
        assertThat(claims.getClaim("typ")).isEqualTo("pat");
        assertThat(claims.getSubject()).isEqualTo(alice);
        assertThat(claims.getClaim("org_id")).isEqualTo("acme");
        assertThat(claims.getAudience()).containsExactly("gateway");
        assertThat(claims.getStringListClaim("capabilities")).containsExactly("models:read");
        assertThat(claims.getJWTID()).isEqualTo(body.getString("id"));
        assertThat(claims.getClaims()).doesNotContainKey("name");

        String signature = body.getString("token").substring(body.getString("token").lastIndexOf('.') + 1);
        Map<String, Object> row = gatehouse.database().jdbi().withHandle(handle -> handle
                .createQuery("SELECT * FROM personal_access_tokens WHERE id = :id").bind("id", body.getString("id"))
                .mapToMap().one());
        assertThat(row).containsEntry("owner_subject", alice).containsEntry("owner_issuer", ISSUER)
                .containsEntry("organization", "acme").containsEntry("name", "ci");
        assertThat(row.values()).allSatisfy(value -> assertThat(String.valueOf(value))
                .doesNotContain(signature).doesNotContain(body.getString("token")));

        assertThat(events("?action=pat.issued&actor=" + alice))
                .singleElement().satisfies(event -> {
                    assertThat(event.getString("target")).isEqualTo(body.getString("id"));
                    assertThat(event.getString("organization")).isEqualTo("acme");
                    assertThat(event.getJsonObject("actor").getString("issuer")).isEqualTo(ISSUER);
                    assertThat(event.getString("source_ip")).isEqualTo("127.0.0.1");
                    assertThat(event.getString("request_id")).isEqualTo(
                            response.headers().firstValue("X-Request-Id").orElseThrow());
                    assertThat(event.getString("outcome")).isEqualTo("success");
                    assertThat(event.encode()).doesNotContain(signature);
                });
    }

    @Test
    void create_defaults_sevenDays_firstAudience_noCapabilities_andIntegerSecondsTtl() {
        String session = session(newUser(), "acme", List.of("models:read"));

        JsonObject defaults = pat(gatehouse, session, "{\"name\": \"laptop\"}");
        JsonObject seconds = pat(gatehouse, session, "{\"name\": \"short\", \"ttl\": 3600}");

        assertThat(lifetime(defaults)).isEqualTo(Duration.ofDays(7));
        assertThat(defaults.getString("audience")).isEqualTo("gateway");
        assertThat(defaults.getJsonArray("capabilities").getList()).isEmpty();
        assertThat(lifetime(seconds)).isEqualTo(Duration.ofHours(1));
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("ttl 0", "{\"name\": \"x\", \"ttl\": \"0\"}", 400, "invalid_field", "ttl: \"0\" (expected: a positive duration"),
                Arguments.of("ttl number 0", "{\"name\": \"x\", \"ttl\": 0}", 400, "invalid_field", "ttl: 0 (expected:"),
                Arguments.of("ttl -1", "{\"name\": \"x\", \"ttl\": \"-1\"}", 400, "invalid_field", "ttl: \"-1\" (expected:"),
                Arguments.of("ttl number -1", "{\"name\": \"x\", \"ttl\": -1}", 400, "invalid_field", "ttl: -1 (expected:"),
                Arguments.of("ttl abc", "{\"name\": \"x\", \"ttl\": \"abc\"}", 400, "invalid_field", "ttl: \"abc\" (expected:"),
                Arguments.of("ttl 1.5", "{\"name\": \"x\", \"ttl\": 1.5}", 400, "invalid_field", "ttl: 1.5 (expected:"),
                Arguments.of("ttl 91d", "{\"name\": \"x\", \"ttl\": \"91d\"}", 400, "ttl_too_long", "ttl: 91d (expected: at most 90d)"),
                Arguments.of("ttl over max in seconds", "{\"name\": \"x\", \"ttl\": 7776001}", 400, "ttl_too_long", "at most 90d"),
                Arguments.of("unknown audience", "{\"name\": \"x\", \"audience\": \"billing\"}", 400, "unknown_audience",
                        "audience: \"billing\" (expected one of: gateway, " + ISSUER + ")"),
                Arguments.of("capabilities not held", "{\"name\": \"x\", \"capabilities\": [\"models:read\", \"admin\", \"billing\"]}",
                        403, "capabilities_not_held", "[admin, billing] not held"),
                Arguments.of("malformed JSON", "{\"name\": ", 400, "malformed_json", "not valid JSON"),
                Arguments.of("not an object", "[\"x\"]", 400, "malformed_json", "one JSON object"),
                Arguments.of("trailing garbage", "{\"name\": \"x\"} {}", 400, "malformed_json", "not valid JSON"),
                Arguments.of("duplicate field", "{\"name\": \"x\", \"name\": \"y\"}", 400, "malformed_json", "not valid JSON"),
                Arguments.of("unknown field", "{\"name\": \"x\", \"scope\": \"all\"}", 400, "unknown_field", "\"scope\""),
                Arguments.of("name missing", "{\"ttl\": \"7d\"}", 400, "invalid_field", "name: missing"),
                Arguments.of("name not text", "{\"name\": 5}", 400, "invalid_field", "name: number"),
                Arguments.of("name empty", "{\"name\": \"\"}", 400, "invalid_field", "name: \"\""),
                Arguments.of("name too long", "{\"name\": \"" + "n".repeat(101) + "\"}", 400, "invalid_field", "(101 characters)"),
                Arguments.of("name with a control character", "{\"name\": \"a\\u0007b\"}", 400, "invalid_field", "printable"),
                Arguments.of("capabilities not a list", "{\"name\": \"x\", \"capabilities\": \"models:read\"}", 400, "invalid_field",
                        "capabilities: string"),
                Arguments.of("capability not text", "{\"name\": \"x\", \"capabilities\": [1]}", 400, "invalid_field",
                        "capabilities[0]: number"),
                Arguments.of("audience not text", "{\"name\": \"x\", \"audience\": [\"gateway\"]}", 400, "invalid_field",
                        "audience: array"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void create_badBody_isRefusedWithItsReason_andNothingIsWritten(
            String name, String body, int status, String code, String message) {
        String user = newUser();

        HttpResponse<String> response = createPat(gatehouse, session(user, "acme", List.of("models:read")), body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonObject problem = new JsonObject(response.body());
        assertThat(problem.getString("code")).isEqualTo(code);
        assertThat(problem.getString("detail")).contains(message);
        assertNothingWrittenFor(user);
    }

    @Test
    void create_tenMegabyteBody_is413_declaredOrChunked_andNothingIsWritten() {
        String user = newUser();
        String session = session(user, "acme", List.of());
        byte[] huge = ("{\"name\": \"" + "x".repeat(10 * 1024 * 1024) + "\"}").getBytes();

        HttpResponse<String> declared = TestGatehouse.send(HttpRequest.newBuilder(url(gatehouse, "/auth/pat"))
                .header("Authorization", "Bearer " + session).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(huge)).build());
        HttpResponse<String> chunked = TestGatehouse.send(HttpRequest.newBuilder(url(gatehouse, "/auth/pat"))
                .header("Authorization", "Bearer " + session).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge))).build());

        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(code(declared)).isEqualTo("body_too_large");
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(code(chunked)).isEqualTo("body_too_large");
        assertNothingWrittenFor(user);
    }

    @Test
    void create_notJson_is415_andNothingIsWritten() {
        String user = newUser();

        HttpResponse<String> response = TestGatehouse.send(HttpRequest.newBuilder(url(gatehouse, "/auth/pat"))
                .header("Authorization", "Bearer " + session(user, "acme", List.of()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=x")).build());

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(code(response)).isEqualTo("unsupported_media_type");
        assertNothingWrittenFor(user);
    }

    @Test
    void create_sessionWithoutOrganization_is403_andNothingIsWritten() {
        String user = newUser();

        HttpResponse<String> response = createPat(gatehouse, session(user, null, List.of()), "{\"name\": \"x\"}");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(code(response)).isEqualTo("organization_required");
        assertNothingWrittenFor(user);
    }

    @Test
    void create_withoutToken_is401_andNothingIsWritten() {
        HttpResponse<String> response = TestGatehouse.send(HttpRequest.newBuilder(url(gatehouse, "/auth/pat"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"x\"}")).build());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(code(response)).isEqualTo("missing_token");
    }

    @Test
    void aPat_cannotMintListOrRevokePats() {
        String user = newUser();
        String session = session(user, "acme", List.of());
        JsonObject forApi = pat(gatehouse, session, "{\"name\": \"api\", \"audience\": \"" + ISSUER + "\"}");
        JsonObject forGateway = pat(gatehouse, session, "{\"name\": \"gw\"}");

        HttpResponse<String> mint = createPat(gatehouse, forApi.getString("token"), "{\"name\": \"child\"}");
        HttpResponse<String> list = listPats(gatehouse, forApi.getString("token"));
        HttpResponse<String> revoke = deletePat(gatehouse, forApi.getString("token"), forGateway.getString("id"));
        HttpResponse<String> mintWithGatewayPat = createPat(gatehouse, forGateway.getString("token"), "{\"name\": \"child\"}");

        assertThat(List.of(mint, list, revoke)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(code(response)).isEqualTo("wrong_token_type");
        });
        // A PAT for another audience is not even meant for this API: refused before its type is looked at.
        assertThat(mintWithGatewayPat.statusCode()).isEqualTo(401);
        assertThat(code(mintWithGatewayPat)).isEqualTo("wrong_audience");
        assertThat(rowsOwnedBy(user)).isEqualTo(2);
        assertThat(status(session, forGateway.getString("id"))).isEqualTo("active");
    }

    @Test
    void list_showsOnlyTheCallersOwnPatsOfItsOrganization_withStatusAndLastUse_neverValues() throws Exception {
        String alice = newUser();
        String aliceAcme = session(alice, "acme", List.of());
        JsonObject used = pat(gatehouse, aliceAcme, "{\"name\": \"used\"}");
        JsonObject revoked = pat(gatehouse, aliceAcme, "{\"name\": \"revoked\"}");
        JsonObject expiring = pat(gatehouse, aliceAcme, "{\"name\": \"expiring\", \"ttl\": \"1s\"}");
        pat(gatehouse, session(alice, "globex", List.of()), "{\"name\": \"globex\"}");
        pat(gatehouse, session(newUser(), "acme", List.of()), "{\"name\": \"bob's\"}");
        assertThat(deletePat(gatehouse, aliceAcme, revoked.getString("id")).statusCode()).isEqualTo(204);
        assertThat(introspect(gatehouse, ADMIN_SECRET, used.getString("token")).getBoolean("active")).isTrue();
        Thread.sleep(1100);

        HttpResponse<String> response = listPats(gatehouse, aliceAcme);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonArray pats = new JsonObject(response.body()).getJsonArray("pats");
        assertThat(pats.stream().map(p -> ((JsonObject) p).getString("name")))
                .containsExactlyInAnyOrder("used", "revoked", "expiring");
        assertThat(status(aliceAcme, used.getString("id"))).isEqualTo("active");
        assertThat(status(aliceAcme, revoked.getString("id"))).isEqualTo("revoked");
        assertThat(status(aliceAcme, expiring.getString("id"))).isEqualTo("expired");
        JsonObject usedEntry = entry(aliceAcme, used.getString("id"));
        assertThat(usedEntry.getString("last_used_at")).isNotNull();
        assertThat(usedEntry.containsKey("token")).isFalse();
        assertThat(response.body()).doesNotContain(used.getString("token"));
    }

    @Test
    void revoke_ownPat_is204_thenRefusedEverywhere_andReRevokeIs204() {
        String user = newUser();
        String session = session(user, "acme", List.of());
        JsonObject pat = pat(gatehouse, session, "{\"name\": \"ci\", \"audience\": \"" + ISSUER + "\"}");
        assertThat(TestGatehouse.get(url(gatehouse, "/auth/session"), "Authorization", "Bearer " + pat.getString("token"))
                .statusCode()).isEqualTo(200);

        HttpResponse<String> first = deletePat(gatehouse, session, pat.getString("id"));
        HttpResponse<String> again = deletePat(gatehouse, session, pat.getString("id"));

        assertThat(first.statusCode()).isEqualTo(204);
        assertThat(again.statusCode()).isEqualTo(204);
        HttpResponse<String> presented = TestGatehouse.get(url(gatehouse, "/auth/session"),
                "Authorization", "Bearer " + pat.getString("token"));
        assertThat(presented.statusCode()).isEqualTo(401);
        assertThat(code(presented)).isEqualTo("token_revoked");
        assertThat(introspect(gatehouse, ADMIN_SECRET, pat.getString("token"))).isEqualTo(inactive());
        assertThat(events("?action=pat.revoked&actor=" + user)).singleElement()
                .satisfies(event -> assertThat(event.getString("target")).isEqualTo(pat.getString("id")));
    }

    @Test
    void sameSubject_inTwoOrganizations_eachSessionListsAndRevokesOnlyItsOwnOrganizationsPats() {
        String alice = newUser();
        String aliceAcme = session(alice, "acme", List.of());
        String aliceGlobex = session(alice, "globex", List.of());
        JsonObject acmePat = pat(gatehouse, aliceAcme, "{\"name\": \"acme\"}");
        JsonObject globexPat = pat(gatehouse, aliceGlobex, "{\"name\": \"globex\"}");

        assertThat(new JsonObject(listPats(gatehouse, aliceAcme).body()).getJsonArray("pats").stream()
                .map(p -> ((JsonObject) p).getString("id"))).containsExactly(acmePat.getString("id"));
        assertThat(new JsonObject(listPats(gatehouse, aliceGlobex).body()).getJsonArray("pats").stream()
                .map(p -> ((JsonObject) p).getString("id"))).containsExactly(globexPat.getString("id"));

        HttpResponse<String> acmeRevokesGlobex = deletePat(gatehouse, aliceAcme, globexPat.getString("id"));
        HttpResponse<String> globexRevokesAcme = deletePat(gatehouse, aliceGlobex, acmePat.getString("id"));
        HttpResponse<String> oauthAcrossOrganizations = form(gatehouse, "/oauth/revoke", aliceAcme,
                Map.of("token", globexPat.getString("token")));

        assertThat(List.of(acmeRevokesGlobex, globexRevokesAcme)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(code(response)).isEqualTo("not_found");
        });
        assertThat(oauthAcrossOrganizations.statusCode()).isEqualTo(403);
        assertThat(code(oauthAcrossOrganizations)).isEqualTo("unauthorized_client");
        assertThat(revokedAt(acmePat.getString("id"))).isNull();
        assertThat(revokedAt(globexPat.getString("id"))).isNull();
        assertThat(events("?action=pat.revoke_refused&actor=" + alice)).hasSize(3);
    }

    @Test
    void revoke_patOfAnotherOrganizationOrUser_is404_auditedAsRefused_andTheTokenStaysActive() {
        String alice = newUser();
        String mallory = newUser();
        JsonObject acmePat = pat(gatehouse, session(alice, "acme", List.of()), "{\"name\": \"acme\"}");
        String aliceGlobex = session(alice, "globex", List.of());
        String malloryAcme = session(mallory, "acme", List.of());

        HttpResponse<String> otherOrg = deletePat(gatehouse, aliceGlobex, acmePat.getString("id"));
        HttpResponse<String> otherUser = deletePat(gatehouse, malloryAcme, acmePat.getString("id"));
        HttpResponse<String> noSuch = deletePat(gatehouse, malloryAcme, "no-such-token");
        HttpResponse<String> listedByOtherOrg = listPats(gatehouse, aliceGlobex);

        assertThat(List.of(otherOrg, otherUser, noSuch)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(code(response)).isEqualTo("not_found");
        });
        assertThat(otherOrg.body()).doesNotContain("acme").doesNotContain("revoked");
        assertThat(new JsonObject(listedByOtherOrg.body()).getJsonArray("pats")).isEmpty();
        assertThat(introspect(gatehouse, ADMIN_SECRET, acmePat.getString("token")).getBoolean("active")).isTrue();
        assertThat(revokedAt(acmePat.getString("id"))).isNull();
        List<JsonObject> refused = events("?action=pat.revoke_refused&organization=acme");
        assertThat(refused).filteredOn(event -> event.getString("target").equals(acmePat.getString("id")))
                .extracting(event -> event.getJsonObject("actor").getString("subject"))
                .containsExactlyInAnyOrder(alice, mallory);
        assertThat(events("?action=pat.revoke_refused&actor=" + mallory))
                .anySatisfy(event -> assertThat(event.getString("target")).isEqualTo("no-such-token"));
    }

    @Test
    void introspect_activeRevokedExpiredUnknownGarbage() throws Exception {
        String user = newUser();
        String session = session(user, "acme", List.of("models:read"));
        JsonObject active = pat(gatehouse, session, "{\"name\": \"a\", \"capabilities\": [\"models:read\"]}");
        JsonObject revoked = pat(gatehouse, session, "{\"name\": \"r\"}");
        deletePat(gatehouse, session, revoked.getString("id"));
        String expired = PatTestSupport.session(gatehouse, config,
                Clock.fixed(Instant.now().minus(Duration.ofHours(3)), ZoneOffset.UTC), user, "acme", List.of());
        String unknown = TestGatehouse.signEs256(new ECKeyGenerator(Curve.P_256).keyID("stranger").generate(),
                TestGatehouse.sessionClaims(b -> b));

        JsonObject activeAnswer = introspect(gatehouse, PatTestSupport.serviceToken(gatehouse, config, "newapi"),
                active.getString("token"));

        assertThat(activeAnswer.getBoolean("active")).isTrue();
        assertThat(activeAnswer.getString("sub")).isEqualTo(user);
        assertThat(activeAnswer.getString("typ")).isEqualTo("pat");
        assertThat(activeAnswer.getString("org_id")).isEqualTo("acme");
        assertThat(activeAnswer.getJsonArray("aud").getList()).containsExactly("gateway");
        assertThat(activeAnswer.getString("jti")).isEqualTo(active.getString("id"));
        assertThat(activeAnswer.getString("scope")).isEqualTo("models:read");
        assertThat(activeAnswer.getLong("exp")).isEqualTo(Instant.parse(active.getString("expires_at")).getEpochSecond());
        assertThat(activeAnswer.getLong("iat")).isNotNull();
        for (String token : List.of(revoked.getString("token"), expired, unknown, "garbage", "a.b.c")) {
            assertThat(introspect(gatehouse, ADMIN_SECRET, token)).as(token).isEqualTo(inactive());
        }
    }

    @Test
    void introspect_callerMustBeAdminOrService_sessionsAndPatsAreRefused() {
        String session = session(newUser(), "acme", List.of());
        String service = PatTestSupport.serviceToken(gatehouse, config, "newapi");
        JsonObject pat = pat(gatehouse, session, "{\"name\": \"x\", \"audience\": \"" + ISSUER + "\"}");
        Map<String, String> form = Map.of("token", pat.getString("token"));

        HttpResponse<String> anonymous = form(gatehouse, "/oauth/introspect", null, form);
        HttpResponse<String> wrongSecret = form(gatehouse, "/oauth/introspect", "not-the-admin-secret", form);
        HttpResponse<String> byPat = form(gatehouse, "/oauth/introspect", pat.getString("token"), form);
        HttpResponse<String> bySession = form(gatehouse, "/oauth/introspect", session, form);
        HttpResponse<String> byService = form(gatehouse, "/oauth/introspect", service, form);
        HttpResponse<String> noToken = form(gatehouse, "/oauth/introspect", service, Map.of("token_type_hint", "x"));

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(code(anonymous)).isEqualTo("missing_token");
        assertThat(wrongSecret.statusCode()).isEqualTo(401);
        assertThat(code(wrongSecret)).isEqualTo("malformed_token");
        assertThat(List.of(byPat, bySession)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(code(response)).isEqualTo("wrong_token_type");
        });
        assertThat(byService.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(byService.body()).getBoolean("active")).isTrue();
        assertThat(noToken.statusCode()).isEqualTo(400);
        assertThat(code(noToken)).isEqualTo("invalid_request");
    }

    @Test
    void oauthRevoke_ownPatRevoked_othersRefused_invalidTokensAre200_sessionsUnsupported() {
        String alice = newUser();
        String aliceAcme = session(alice, "acme", List.of());
        String bobGlobex = session(newUser(), "globex", List.of());
        JsonObject own = pat(gatehouse, aliceAcme, "{\"name\": \"own\"}");
        JsonObject byAdmin = pat(gatehouse, aliceAcme, "{\"name\": \"admin revokes\"}");

        HttpResponse<String> refused = form(gatehouse, "/oauth/revoke", bobGlobex, Map.of("token", own.getString("token")));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(code(refused)).isEqualTo("unauthorized_client");
        assertThat(revokedAt(own.getString("id"))).isNull();

        HttpResponse<String> revoked = form(gatehouse, "/oauth/revoke", aliceAcme,
                Map.of("token", own.getString("token"), "token_type_hint", "access_token"));
        HttpResponse<String> again = form(gatehouse, "/oauth/revoke", aliceAcme, Map.of("token", own.getString("token")));
        HttpResponse<String> garbage = form(gatehouse, "/oauth/revoke", aliceAcme, Map.of("token", "garbage"));
        HttpResponse<String> session = form(gatehouse, "/oauth/revoke", aliceAcme, Map.of("token", bobGlobex));
        HttpResponse<String> admin = form(gatehouse, "/oauth/revoke", ADMIN_SECRET, Map.of("token", byAdmin.getString("token")));
        HttpResponse<String> anonymous = form(gatehouse, "/oauth/revoke", null, Map.of("token", "garbage"));

        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(garbage.statusCode()).isEqualTo(200);
        assertThat(session.statusCode()).isEqualTo(400);
        assertThat(code(session)).isEqualTo("unsupported_token_type");
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(introspect(gatehouse, ADMIN_SECRET, own.getString("token"))).isEqualTo(inactive());
        assertThat(introspect(gatehouse, ADMIN_SECRET, byAdmin.getString("token"))).isEqualTo(inactive());
        assertThat(events("?action=pat.revoked&organization=acme"))
                .filteredOn(event -> List.of(own.getString("id"), byAdmin.getString("id")).contains(event.getString("target")))
                .extracting(event -> event.getJsonObject("actor").getString("subject") + " via "
                        + event.getJsonObject("detail").getString("via"))
                .containsExactlyInAnyOrder(alice + " via oauth_revoke", "admin via oauth_revoke");
        assertThat(events("?action=pat.revoke_refused&organization=acme"))
                .anySatisfy(event -> assertThat(event.getString("target")).isEqualTo(own.getString("id")));
    }

    @Test
    void audit_requiresTheAdminSecret_filters_andListsNewestFirst() {
        String user = newUser();
        String session = session(user, "initech", List.of());
        JsonObject first = pat(gatehouse, session, "{\"name\": \"first\"}");
        JsonObject second = pat(gatehouse, session, "{\"name\": \"second\"}");
        deletePat(gatehouse, session, first.getString("id"));

        HttpResponse<String> anonymous = TestGatehouse.get(url(gatehouse, "/admin/audit"));
        HttpResponse<String> wrong = TestGatehouse.get(url(gatehouse, "/admin/audit"),
                "Authorization", "Bearer " + ADMIN_SECRET + "x");
        HttpResponse<String> bySession = TestGatehouse.get(url(gatehouse, "/admin/audit"), "Authorization", "Bearer " + session);
        HttpResponse<String> badLimit = audit(gatehouse, "?limit=0");
        HttpResponse<String> badSince = audit(gatehouse, "?since=yesterday");
        HttpResponse<String> unknown = audit(gatehouse, "?user=x");

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(code(anonymous)).isEqualTo("missing_token");
        assertThat(List.of(wrong, bySession)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(code(response)).isEqualTo("invalid_admin_secret");
        });
        assertThat(List.of(badLimit, badSince, unknown)).allSatisfy(response -> assertThat(response.statusCode()).isEqualTo(400));
        assertThat(events("?organization=initech").stream().map(event -> event.getString("action") + " "
                + event.getString("target")))
                .containsExactly("pat.revoked " + first.getString("id"), "pat.issued " + second.getString("id"),
                        "pat.issued " + first.getString("id"));
        assertThat(events("?organization=initech&limit=1")).hasSize(1);
        assertThat(events("?organization=initech&until=2000-01-01T00:00:00Z")).isEmpty();
        assertThat(events("?organization=initech&since=" + Instant.now().minusSeconds(60))).hasSize(3);
    }

    @Test
    void audit_instantsBeyondWhatTheStoreHolds_are400_not500() {
        HttpResponse<String> farFuture = audit(gatehouse, "?since=%2B999999999-01-01T00:00:00Z");
        HttpResponse<String> farPast = audit(gatehouse, "?until=-999999999-01-01T00:00:00Z");

        assertThat(List.of(farFuture, farPast)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(code(response)).isEqualTo("invalid_parameter");
        });
        assertThat(new JsonObject(farFuture.body()).getString("detail")).isEqualTo("since: \"+999999999-01-01T00:00:00Z\""
                + " (expected: an instant from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z)");
    }

    @Test
    void patLongerThanVerifiersAccept_is400TokenTooLarge_nothingWritten() {
        String longAudience = "a".repeat(200);
        GatehouseConfig bigConfig = TestGatehouse.config(dataDir.resolve("big"), Map.of(
                "GATEHOUSE_ADMIN_SECRET", ADMIN_SECRET, "GATEHOUSE_PAT_AUDIENCES", "gateway," + longAudience));
        try (Gatehouse big = Gatehouse.start(bigConfig)) {
            // A session just under the limit: the PAT asking for all of it, with a longer audience, is over.
            List<String> capabilities = new ArrayList<>();
            for (int i = 0; i < 29; i++) {
                capabilities.add("c" + i + ":" + "x".repeat(190));
            }
            capabilities.add("last:");
            String session = PatTestSupport.session(big, bigConfig, "alice", "acme", capabilities);
            while (session.length() < 8192 - 60) {
                capabilities.set(capabilities.size() - 1, capabilities.getLast() + "x");
                session = PatTestSupport.session(big, bigConfig, "alice", "acme", capabilities);
            }
            assertThat(session.length()).as("the session itself is verifiable").isLessThanOrEqualTo(8192);

            HttpResponse<String> response = createPat(big, session, new JsonObject().put("name", "big")
                    .put("audience", longAudience).put("capabilities", capabilities).encode());

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(code(response)).isEqualTo("token_too_large");
            assertThat(new JsonObject(response.body()).getString("detail")).matches("token: \\d+ characters"
                    + " \\(expected: at most 8192, the verifiers' limit; ask for fewer or shorter capabilities\\)");
            assertThat(new JsonObject(listPats(big, session).body()).getJsonArray("pats")).isEmpty();
            assertThat(new JsonObject(audit(big, "").body()).getJsonArray("events")).isEmpty();
        }
    }

    @Test
    void adminRevokeById_anyPat_204_unknown404_withoutSecret401_audited() {
        String session = session(newUser(), "acme", List.of());
        JsonObject pat = pat(gatehouse, session, "{\"name\": \"leaked\"}");
        String path = "/admin/pats/" + pat.getString("id");

        HttpResponse<String> bySession = TestGatehouse.send(HttpRequest.newBuilder(url(gatehouse, path))
                .header("Authorization", "Bearer " + session).DELETE().build());
        assertThat(bySession.statusCode()).isEqualTo(401);
        assertThat(revokedAt(pat.getString("id"))).as("nothing happened").isNull();

        HttpResponse<String> revoked = adminDelete(path);
        HttpResponse<String> again = adminDelete(path);
        HttpResponse<String> unknown = adminDelete("/admin/pats/no-such-id");

        assertThat(revoked.statusCode()).isEqualTo(204);
        assertThat(again.statusCode()).isEqualTo(204);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(code(unknown)).isEqualTo("not_found");
        assertThat(revokedAt(pat.getString("id"))).isNotNull();
        assertThat(introspect(gatehouse, ADMIN_SECRET, pat.getString("token"))).isEqualTo(inactive());
        assertThat(events("?action=pat.revoked&organization=acme"))
                .filteredOn(event -> pat.getString("id").equals(event.getString("target")))
                .extracting(event -> event.getJsonObject("actor").getString("subject") + " via "
                        + event.getJsonObject("detail").getString("via"))
                .containsExactly("admin via admin_api");
    }

    private static HttpResponse<String> adminDelete(String path) {
        return TestGatehouse.send(HttpRequest.newBuilder(url(gatehouse, path))
                .header("Authorization", "Bearer " + ADMIN_SECRET).DELETE().build());
    }

    @Test
    void activePatsPerUserAndOrganization_areCapped_409TooManyPats_nothingWritten() {
        GatehouseConfig cappedConfig = TestGatehouse.config(dataDir.resolve("capped"), Map.of(
                "GATEHOUSE_ADMIN_SECRET", ADMIN_SECRET, "GATEHOUSE_PAT_MAX_ACTIVE_PER_USER", "2"));
        try (Gatehouse capped = Gatehouse.start(cappedConfig)) {
            String acme = PatTestSupport.session(capped, cappedConfig, "alice", "acme", List.of());
            String globex = PatTestSupport.session(capped, cappedConfig, "alice", "globex", List.of());
            JsonObject first = pat(capped, acme, "{\"name\": \"1\"}");
            pat(capped, acme, "{\"name\": \"2\"}");

            HttpResponse<String> third = createPat(capped, acme, "{\"name\": \"3\"}");

            assertThat(third.statusCode()).isEqualTo(409);
            assertThat(code(third)).isEqualTo("too_many_pats");
            assertThat(new JsonObject(third.body()).getString("detail")).isEqualTo("You hold 2 active personal"
                    + " access tokens in organization acme (expected: at most 2; revoke unused ones, or let them expire).");
            assertThat(new JsonObject(listPats(capped, acme).body()).getJsonArray("pats")).hasSize(2);
            assertThat(new JsonObject(audit(capped, "?action=pat.issued").body()).getJsonArray("events")).hasSize(2);
            assertThat(createPat(capped, globex, "{\"name\": \"other org\"}").statusCode()).isEqualTo(201);
            deletePat(capped, acme, first.getString("id"));
            assertThat(createPat(capped, acme, "{\"name\": \"after revoking one\"}").statusCode()).isEqualTo(201);
        }
    }

    @Test
    void refusedRevocationsOfUnknownIds_areAuditedOncePerCallerPerMinute() {
        String prober = newUser();
        String session = session(prober, "acme", List.of());
        for (int i = 0; i < 5; i++) {
            assertThat(deletePat(gatehouse, session, "guess-" + i).statusCode()).isEqualTo(404);
        }

        assertThat(events("?action=pat.revoke_refused&actor=" + prober)).singleElement()
                .satisfies(event -> assertThat(event.getString("target")).isEqualTo("guess-0"));
    }

    @Test
    void adminApi_withoutAdminSecret_is503NamingWhatToConfigure() {
        try (Gatehouse plain = Gatehouse.start(TestGatehouse.config(dataDir.resolve("plain"), Map.of()))) {
            HttpResponse<String> response = TestGatehouse.get(url(plain, "/admin/audit"),
                    "Authorization", "Bearer " + ADMIN_SECRET);

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(code(response)).isEqualTo("admin_disabled");
            assertThat(new JsonObject(response.body()).getString("detail"))
                    .contains("admin.secret").contains("NEWAPI_ADMIN_SECRET");
        }
    }

    private static String session(String subject, String organization, List<String> capabilities) {
        return PatTestSupport.session(gatehouse, config, subject, organization, capabilities);
    }

    private static String newUser() {
        return "user-" + UUID.randomUUID();
    }

    private static Duration lifetime(JsonObject pat) {
        return Duration.between(Instant.parse(pat.getString("created_at")), Instant.parse(pat.getString("expires_at")));
    }

    private static JsonObject inactive() {
        return new JsonObject().put("active", false);
    }

    private static List<JsonObject> events(String query) {
        HttpResponse<String> response = audit(gatehouse, query);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body()).getJsonArray("events").stream().map(JsonObject.class::cast).toList();
    }

    private static JsonObject entry(String session, String id) {
        return new JsonObject(listPats(gatehouse, session).body()).getJsonArray("pats").stream()
                .map(JsonObject.class::cast).filter(p -> p.getString("id").equals(id)).findFirst().orElseThrow();
    }

    private static String status(String session, String id) {
        return entry(session, id).getString("status");
    }

    private static int rowsOwnedBy(String subject) {
        return gatehouse.database().jdbi().withHandle(handle -> handle
                .createQuery("SELECT COUNT(*) FROM personal_access_tokens WHERE owner_subject = :s")
                .bind("s", subject).mapTo(Integer.class).one());
    }

    private static Long revokedAt(String id) {
        return gatehouse.database().jdbi().withHandle(handle -> handle
                .createQuery("SELECT revoked_at FROM personal_access_tokens WHERE id = :id")
                .bind("id", id).mapTo(Long.class).one());
    }

    private static void assertNothingWrittenFor(String subject) {
        assertThat(rowsOwnedBy(subject)).as("PAT rows").isZero();
        int audited = gatehouse.database().jdbi().withHandle(handle -> handle
                .createQuery("SELECT COUNT(*) FROM audit_events WHERE actor_subject = :s")
                .bind("s", subject).mapTo(Integer.class).one());
        assertThat(audited).as("audit events").isZero();
    }
}
