package dev.gatehouse.server.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.TwoReplicasOnPostgres;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.gateway.FakeUpstream;
import dev.gatehouse.server.identity.LocalSession;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.tokens.MintRequest;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * GET /api/v1/usage on a whole Gatehouse (gateway role, production metering) over SQLite and the
 * real PostgreSQL: a member sees the usage of their PATs, sessions and sandboxes, nobody else's.
 */
class MemberUsageApiTest {
    private static final Instant MARCH_1 = Instant.parse("2026-03-01T00:00:00Z");

    @TempDir
    Path dir;

    private Vertx vertx;
    private FakeUpstream upstream;
    private TestStore store;
    private Gatehouse gatehouse;
    private GatehouseConfig config;
    private final AtomicInteger reportQueries = new AtomicInteger();

    @AfterEach
    void stop() throws Exception {
        if (gatehouse != null) {
            gatehouse.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
        if (store != null) {
            store.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aMember_seesTheirPatSessionAndSandboxCalls_andNoOneElses(TestDatabases.Kind kind) {
        start(kind);
        String alice = session("alice", "acme");
        chat(pat("alice", "acme"));
        chat(alice);
        chat(sandboxToken("sb-alice", "alice", "acme"));
        chat(pat("bob", "acme"));
        chat(pat("alice", "globex"));
        Await.until("five usage rows", Duration.ofSeconds(10), () -> usageRows() == 5);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);

        JsonObject byDay = json(get("/api/v1/usage", alice), 200);
        JsonObject bySandbox = json(get("/api/v1/usage?groupBy=sandbox,model", alice), 200);

        assertThat(byDay.getJsonArray("group_by").getList()).containsExactly("day");
        assertThat(Instant.parse(byDay.getString("to"))).isBetween(Instant.now().minusSeconds(60), Instant.now());
        assertThat(Duration.between(Instant.parse(byDay.getString("from")), Instant.parse(byDay.getString("to"))))
                .isEqualTo(Duration.ofDays(30));
        assertThat(byDay.containsKey("currency")).isFalse();
        assertThat(byDay.getJsonArray("groups")).hasSize(1);
        JsonObject day = byDay.getJsonArray("groups").getJsonObject(0);
        assertThat(day.fieldNames()).containsExactlyInAnyOrder("day", "requests", "prompt_tokens",
                "completion_tokens", "total_tokens", "spend_micros", "by_outcome");
        assertThat(day.getString("day")).isEqualTo(today.toString());
        assertThat(day.getLong("requests")).isEqualTo(3);
        assertThat(day.getLong("total_tokens")).isEqualTo(3 * 9);
        assertThat(day.getJsonObject("by_outcome").getJsonObject("completed").getLong("requests")).isEqualTo(3);

        JsonArray groups = bySandbox.getJsonArray("groups");
        assertThat(groups).hasSize(2);
        assertThat(groups.getJsonObject(0).containsKey("sandbox")).isTrue();
        assertThat(groups.getJsonObject(0).getString("sandbox")).isNull();
        assertThat(groups.getJsonObject(0).getString("model")).isEqualTo("json");
        assertThat(groups.getJsonObject(0).getLong("requests")).isEqualTo(2);
        assertThat(groups.getJsonObject(1).getString("sandbox")).isEqualTo("sb-alice");
        assertThat(groups.getJsonObject(1).getLong("requests")).isEqualTo(1);
        assertThat(groups.getJsonObject(1).containsKey("day")).isFalse();

        assertThat(requests(get("/api/v1/usage", session("bob", "acme")))).isEqualTo(1);
        assertThat(requests(get("/api/v1/usage", session("alice", "globex")))).isEqualTo(1);
        assertThat(requests(get("/api/v1/usage", session("ops", "acme", "org:admin")))).as("an admin's own").isZero();
        assertThat(requests(get("/api/v1/usage?scope=organization", session("ops", "acme", "org:admin"))))
                .as("the whole of acme").isEqualTo(4);
        HttpResponse<String> refused = get("/api/v1/usage?scope=organization", alice);
        assertProblem(refused, 403, "capability_required");
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void days_areUtcCalendarDays_groupsComeByDayFirst_andCsvIsQuotedAndGuarded(TestDatabases.Kind kind) {
        start(kind, Map.of("GATEHOUSE_GATEWAY_CURRENCY", "EUR"));
        Caller alicePat = new Caller("acme", "alice", null, "tok-1", "pat");
        Caller aliceSandbox = new Caller("acme", "alice", "sb-1", "tok-2", "sandbox");
        insert(record(alicePat, MARCH_1.plus(Duration.ofDays(1)).minusMillis(1), "a,\"b", 10, 5),
                record(aliceSandbox, MARCH_1.plus(Duration.ofDays(1)), "a,\"b", 1, 1),
                record(alicePat, MARCH_1.plus(Duration.ofDays(1)), "=cmd()", 2, 2),
                record(alicePat, MARCH_1, "-x", 3, 0),
                record(new Caller("acme", "bob", null, "tok-3", "pat"), MARCH_1, "a,\"b", 100, 100),
                record(new Caller("globex", "alice", null, "tok-4", "pat"), MARCH_1, "a,\"b", 100, 100));
        String alice = session("alice", "acme");
        String range = "from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z";

        JsonObject report = json(get("/api/v1/usage?" + range + "&groupBy=model,day", alice), 200);
        HttpResponse<String> csv = get("/api/v1/usage?" + range + "&groupBy=sandbox,day,model&format=csv", alice);

        assertThat(report.getString("currency")).isEqualTo("EUR");
        assertThat(report.getJsonArray("group_by").getList()).containsExactly("model", "day");
        assertThat(report.getJsonArray("groups").stream().map(group -> ((JsonObject) group).getString("day") + " "
                + ((JsonObject) group).getString("model") + " " + ((JsonObject) group).getLong("total_tokens")))
                .containsExactly("2026-03-01 -x 3", "2026-03-01 a,\"b 15", "2026-03-02 =cmd() 4", "2026-03-02 a,\"b 2");
        assertThat(csv.statusCode()).as(csv.body()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type")).contains("text/csv; charset=utf-8");
        assertThat(csv.headers().firstValue("Content-Disposition"))
                .contains("attachment; filename=\"usage-2026-03-01-2026-03-03.csv\"");
        assertThat(csv.body()).isEqualTo("""
                sandbox,day,model,requests,prompt_tokens,completion_tokens,total_tokens,spend_micros\r
                ,2026-03-01,'-x,1,3,0,3,0\r
                ,2026-03-01,"a,""b",1,10,5,15,0\r
                ,2026-03-02,'=cmd(),1,2,2,4,0\r
                sb-1,2026-03-02,"a,""b",1,1,1,2,0\r
                """);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void badRequests_areRefusedWithTheirCode_beforeAnyQuery(TestDatabases.Kind kind) {
        start(kind);
        String alice = session("alice", "acme");
        String range = "from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z";

        assertProblem(get("/api/v1/usage", null), 401, "missing_token");
        assertProblem(get("/api/v1/usage", pat("alice", "acme")), 401, "wrong_audience");
        String apiPat = minter().mint(new MintRequest(TokenType.PAT, "alice", List.of(config.tokens().issuer().toString()),
                Duration.ofHours(1), Map.of("org_id", "acme", "capabilities", List.of("llm:use")))).token();
        assertProblem(get("/api/v1/usage", apiPat), 401, "wrong_token_type");
        HttpResponse<String> user = get("/api/v1/usage?groupBy=day,user", alice);
        assertProblem(user, 400, "invalid_parameter");
        assertThat(new JsonObject(user.body()).getString("detail")).isEqualTo(
                "groupBy: \"user\" is not a dimension (expected: a comma-separated list of sandbox, model, day)");
        assertProblem(get("/api/v1/usage?groupBy=day,day", alice), 400, "invalid_parameter");
        assertProblem(get("/api/v1/usage?groupBy=", alice), 400, "invalid_parameter");
        assertProblem(get("/api/v1/usage?from=yesterday", alice), 400, "invalid_parameter");
        assertProblem(get("/api/v1/usage?from=+10000-01-01T00:00:00Z", alice), 400, "invalid_parameter");
        assertProblem(get("/api/v1/usage?to=-1000000000-01-01T00:00:00Z", alice), 400, "invalid_parameter");
        assertProblem(get("/api/v1/usage?from=2026-03-01T00:00:00Z&to=2026-03-01T00:00:00Z", alice), 400,
                "invalid_parameter");
        assertProblem(get("/api/v1/usage?from=9999-01-01T00:00:00Z", alice), 400, "invalid_parameter");
        HttpResponse<String> long367 = get("/api/v1/usage?from=2025-01-01T00:00:00Z&to=2026-01-03T00:00:00Z", alice);
        assertProblem(long367, 400, "invalid_parameter");
        assertThat(new JsonObject(long367.body()).getString("detail")).contains("at most 366 days");
        assertProblem(get("/api/v1/usage?" + range + "&format=xml", alice), 400, "invalid_parameter");
        assertProblem(get("/api/v1/usage?" + range + "&scope=everyone", alice), 400, "invalid_parameter");
        assertProblem(get("/api/v1/usage?" + range + "&user=bob", alice), 400, "unknown_parameter");
        assertProblem(get("/api/v1/usage?" + range + "&format=csv&format=json", alice), 400, "invalid_parameter");
        assertProblem(get("/api/v1/usage?" + range + "&scope=organization", alice), 403, "capability_required");
        String noOrganization = minter().mint(new MintRequest(TokenType.SESSION, "nobody",
                List.of(config.tokens().issuer().toString()), Duration.ofHours(1), Map.of())).token();
        assertProblem(get("/api/v1/usage?" + range, noOrganization), 403, "organization_required");

        assertThat(reportQueries.get()).as("no refused request reached the usage table").isZero();
        assertThat(get("/api/v1/usage?from=2025-01-01T00:00:00Z&to=2026-01-02T00:00:00Z", alice).statusCode())
                .as("366 days exactly").isEqualTo(200);
        assertThat(reportQueries.get()).isEqualTo(1);
    }

    private void start(TestDatabases.Kind kind) {
        start(kind, Map.of());
    }

    private void start(TestDatabases.Kind kind, Map<String, String> overrides) {
        vertx = Vertx.vertx();
        upstream = FakeUpstream.start(vertx);
        Map<String, String> env = new HashMap<>();
        if (kind == TestDatabases.Kind.POSTGRES) {
            store = TestDatabases.postgres();
            env.putAll(TwoReplicasOnPostgres.storeAndKek(store.config()));
        }
        env.put("GATEHOUSE_GATEWAY_ACCEPT_SESSIONS", "true");
        env.put("GATEHOUSE_GATEWAY_CHANNELS", new JsonArray().add(new JsonObject().put("name", "up")
                .put("provider", "fake").put("baseUrl", upstream.baseUrl()).put("models", new JsonArray(List.of("json"))))
                .encode());
        env.putAll(overrides);
        config = TestGatehouse.config(dir, env);
        gatehouse = Gatehouse.start(config);
        SqlStatements statements = gatehouse.database().jdbi().getConfig(SqlStatements.class);
        SqlLogger existing = statements.getSqlLogger();
        statements.setSqlLogger(new SqlLogger() {
            @Override
            public void logBeforeExecution(StatementContext context) {
                existing.logBeforeExecution(context);
            }

            @Override
            public void logAfterExecution(StatementContext context) {
                if (context.getRawSql().contains("COUNT(*) AS requests")) {
                    reportQueries.incrementAndGet();
                }
                existing.logAfterExecution(context);
            }

            @Override
            public void logException(StatementContext context, java.sql.SQLException ex) {
                existing.logException(context, ex);
            }
        });
    }

    private SigningTokenMinter minter() {
        return SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), Clock.systemUTC());
    }

    private String session(String user, String organization, String... capabilities) {
        return minter().mint(LocalSession.request(user, organization, List.of(), List.of(capabilities),
                Duration.ofHours(1), config.tokens().issuer())).token();
    }

    private String pat(String user, String organization) {
        return minter().mint(new MintRequest(TokenType.PAT, user, List.of("gateway"), Duration.ofHours(1),
                Map.of("org_id", organization, "capabilities", List.of("llm:use")))).token();
    }

    /** As the sandbox controller mints it: {@code sub} the sandbox, {@code user} its owner. */
    private String sandboxToken(String sandbox, String owner, String organization) {
        return minter().mint(new MintRequest(TokenType.SANDBOX, sandbox, List.of(), Duration.ofHours(1),
                Map.of("org", organization, "user", owner, "channels", List.of("up")))).token();
    }

    private void chat(String token) {
        HttpResponse<String> response = TestGatehouse.send(HttpRequest.newBuilder(
                        gatehouse.localUrl().resolve("/v1/chat/completions"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"json\"}")).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private long usageRows() {
        return gatehouse.database().jdbi().withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM usage_records")
                .mapTo(Long.class).one());
    }

    private void insert(UsageRecord... records) {
        gatehouse.database().jdbi().useTransaction(handle -> UsageRows.insert(handle, List.of(records), () -> true));
    }

    private static UsageRecord record(Caller caller, Instant at, String model, long prompt, long completion) {
        return new UsageRecord(at, "req-" + caller.tokenId() + "-" + at.toEpochMilli(), caller, "up", model, prompt,
                completion, Outcome.COMPLETED, 200, 10, 0);
    }

    private HttpResponse<String> get(String pathAndQuery, String bearer) {
        int query = pathAndQuery.indexOf('?');
        String path = query < 0 ? pathAndQuery : pathAndQuery.substring(0, query) + "?" + encodePlus(pathAndQuery.substring(query + 1));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gatehouse.localUrl() + path));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return TestGatehouse.send(request.GET().build());
    }

    /** A literal {@code +} in a query is a space; the tests mean the sign. */
    private static String encodePlus(String query) {
        return query.replace("+", URLEncoder.encode("+", StandardCharsets.UTF_8));
    }

    private static JsonObject json(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        return new JsonObject(response.body());
    }

    private static long requests(HttpResponse<String> response) {
        return json(response, 200).getJsonArray("groups").stream()
                .mapToLong(group -> ((JsonObject) group).getLong("requests")).sum();
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(new JsonObject(response.body()).getString("code")).isEqualTo(code);
    }
}
