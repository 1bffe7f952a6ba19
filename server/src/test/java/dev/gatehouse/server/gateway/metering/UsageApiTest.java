package dev.gatehouse.server.gateway.metering;

import dev.gatehouse.server.logging.LoggingConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.admin.AdminConfig;
import dev.gatehouse.server.secrets.Secret;
import dev.gatehouse.server.http.GatehouseHttpServer;
import dev.gatehouse.server.http.HttpConfig;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** GET /admin/usage on a real server, over SQLite and the real PostgreSQL. */
class UsageApiTest {
    private static final String SECRET = "usage-admin-secret-0123456789-abcdefgh";

    @TempDir
    Path dir;

    private TestStore store;
    private Vertx vertx;
    private GatehouseHttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private int queries;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.shutdown().await();
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
    void admin_getsSumsPerGroupAndOutcome(TestDatabases.Kind kind) throws Exception {
        int port = start(kind);

        HttpResponse<String> response = get(port, "/admin/usage?from=2026-03-01T10:00:00Z&to=2026-03-01T11:00:00Z"
                + "&groupBy=organization,model&organization=acme", SECRET);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        JsonObject body = new JsonObject(response.body());
        assertThat(body.getString("from")).isEqualTo("2026-03-01T10:00:00Z");
        assertThat(body.getJsonArray("group_by").getList()).containsExactly("organization", "model");
        assertThat(body.getBoolean("truncated")).isFalse();
        assertThat(body.getJsonArray("groups")).hasSize(2);
        JsonObject gpt = body.getJsonArray("groups").getJsonObject(1);
        assertThat(gpt.getString("organization")).isEqualTo("acme");
        assertThat(gpt.getString("model")).isEqualTo("gpt-4o");
        assertThat(gpt.getLong("requests")).isEqualTo(4);
        assertThat(gpt.getLong("prompt_tokens")).isEqualTo(180);
        assertThat(gpt.getLong("completion_tokens")).isEqualTo(33);
        assertThat(gpt.getLong("total_tokens")).isEqualTo(213);
        assertThat(gpt.getJsonObject("by_outcome")).isEqualTo(new JsonObject("""
                {"completed":{"requests":2,"prompt_tokens":150,"completion_tokens":30,"total_tokens":180,"spend_micros":0},
                 "aborted":{"requests":1,"prompt_tokens":30,"completion_tokens":3,"total_tokens":33,"spend_micros":0},
                 "failed":{"requests":1,"prompt_tokens":0,"completion_tokens":0,"total_tokens":0,"spend_micros":0}}"""));
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void withoutGroupBy_oneGroupWithTheTotals(TestDatabases.Kind kind) throws Exception {
        int port = start(kind);

        HttpResponse<String> response = get(port, "/admin/usage?from=2026-03-01T10:00:00Z&to=2026-03-01T11:00:00Z",
                SECRET);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonObject only = new JsonObject(response.body()).getJsonArray("groups").getJsonObject(0);
        assertThat(only.fieldNames()).containsExactlyInAnyOrder("requests", "prompt_tokens", "completion_tokens",
                "total_tokens", "spend_micros", "by_outcome");
        assertThat(only.getLong("requests")).isEqualTo(6);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void groupByDay_givesUtcDays_first_whateverTheOrderAsked(TestDatabases.Kind kind) throws Exception {
        int port = start(kind);

        HttpResponse<String> response = get(port, "/admin/usage?from=2026-02-28T00:00:00Z&to=2026-03-02T00:00:00Z"
                + "&groupBy=organization,day", SECRET);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getJsonArray("groups").stream()
                .map(group -> ((JsonObject) group).getString("day") + " " + ((JsonObject) group).getString("organization")
                        + " " + ((JsonObject) group).getLong("requests")))
                .containsExactly("2026-03-01 acme 5", "2026-03-01 globex 3");
        assertRejected(get(port, "/admin/usage?from=2026-02-28T00:00:00Z&to=2026-03-02T00:00:00Z&day=2026-03-01",
                SECRET), 400, "unknown_parameter");
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void rejections_answerTheirStatusAndCode_andRunNoQuery(TestDatabases.Kind kind) throws Exception {
        int port = start(kind);
        String range = "from=2026-03-01T10:00:00Z&to=2026-03-01T11:00:00Z";

        assertRejected(get(port, "/admin/usage?" + range, null), 401, "missing_token");
        assertRejected(get(port, "/admin/usage?" + range, SECRET + "x"), 401, "invalid_admin_secret");
        assertRejected(get(port, "/admin/usage?from=yesterday&to=2026-03-01T11:00:00Z", SECRET), 400,
                "invalid_parameter");
        assertRejected(get(port, "/admin/usage?to=2026-03-01T11:00:00Z", SECRET), 400, "missing_parameter");
        assertRejected(get(port, "/admin/usage?from=2026-03-01T11:00:00Z&to=2026-03-01T10:00:00Z", SECRET), 400,
                "invalid_parameter");
        HttpResponse<String> badDimension = get(port, "/admin/usage?" + range + "&groupBy=organization,region", SECRET);
        assertRejected(badDimension, 400, "invalid_parameter");
        assertThat(new JsonObject(badDimension.body()).getString("detail")).isEqualTo("groupBy: \"region\" is not a"
                + " dimension (expected: a comma-separated list of organization, user, sandbox, token, channel, model, day)");
        assertRejected(get(port, "/admin/usage?" + range + "&groupBy=model,model", SECRET), 400, "invalid_parameter");
        assertRejected(get(port, "/admin/usage?" + range + "&region=eu", SECRET), 400, "unknown_parameter");
        assertRejected(get(port, "/admin/usage?" + range + "&model=a&model=b", SECRET), 400, "invalid_parameter");
        assertRejected(get(port, "/admin/usage?" + range + "&model=", SECRET), 400, "invalid_parameter");

        assertThat(queries).as("no rejected request reached the database").isZero();
    }

    private static void assertRejected(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(new JsonObject(response.body()).getString("code")).isEqualTo(code);
    }

    private int start(TestDatabases.Kind kind) {
        store = kind.create(dir);
        Database database = store.open();
        UsageStoreTest.seed(database);
        database.jdbi().setSqlLogger(new SqlLogger() {
            @Override
            public void logAfterExecution(StatementContext context) {
                queries++;
            }
        });
        vertx = Vertx.vertx();
        AdminAuth admin = new AdminAuth(new AdminConfig(Optional.of(Secret.of(SECRET))));
        server = new GatehouseHttpServer(vertx,
                new HttpConfig("127.0.0.1", 0, 0, URI.create("http://127.0.0.1"), 1024 * 1024, Duration.ofSeconds(1), 0),
                LoggingConfig.GatewayAccess.ALL,
                List.of(new UsageRoutes(admin, new JdbcUsageReports(database), Optional.empty())));
        return server.start().await();
    }

    private HttpResponse<String> get(int port, String path, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
