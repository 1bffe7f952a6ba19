package dev.gatehouse.server.gateway.metering;

import static dev.gatehouse.server.gateway.metering.UsageStoreTest.ALICE;
import static dev.gatehouse.server.gateway.metering.UsageStoreTest.GLOBEX;
import static dev.gatehouse.server.gateway.metering.UsageStoreTest.SANDBOX;
import static dev.gatehouse.server.gateway.metering.UsageStoreTest.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.admin.AdminConfig;
import dev.gatehouse.server.http.GatehouseHttpServer;
import dev.gatehouse.server.http.HttpConfig;
import dev.gatehouse.server.logging.LoggingConfig;
import dev.gatehouse.server.secrets.Secret;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** GET /admin/usage/records on a real server, over SQLite and the real PostgreSQL. */
class UsageRecordsApiTest {
    private static final String SECRET = "usage-admin-secret-0123456789-abcdefgh";
    private static final String RANGE = "from=2026-03-01T10:00:00Z&to=2026-03-01T11:00:00Z";
    /** Records in the range; written in batches of 4 with 3 records in each millisecond. */
    private static final int IN_RANGE = 23;

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
    void pagingThroughNdjson_returnsEveryRecordOnce_inOrder(TestDatabases.Kind kind) throws Exception {
        int port = start(kind);

        List<JsonObject> rows = new ArrayList<>();
        int pages = 0;
        String cursor = null;
        do {
            HttpResponse<String> page = get(port, "/admin/usage/records?" + RANGE + "&format=ndjson&limit=5"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).contains("application/x-ndjson");
            assertThat(page.headers().firstValue("Cache-Control")).contains("no-store");
            page.body().lines().map(JsonObject::new).forEach(rows::add);
            cursor = page.headers().firstValue("X-Next-Cursor").orElse(null);
            pages++;
        } while (cursor != null);

        assertThat(pages).isEqualTo(5);
        assertThat(rows).hasSize(IN_RANGE);
        List<Long> ids = rows.stream().map(row -> row.getLong("id")).toList();
        assertThat(ids).doesNotHaveDuplicates().isSorted();
        assertThat(rows.stream().map(row -> row.getString("occurred_at")).toList()).isSorted();
        assertThat(rows.getFirst().fieldNames()).containsExactlyElementsOf(ExportFormat.COLUMNS);
        JsonObject first = rows.getFirst();
        assertThat(first.getString("occurred_at")).isEqualTo("2026-03-01T10:00:00.000Z");
        assertThat(first.getString("organization")).isEqualTo("acme");
        assertThat(first.getString("user")).isEqualTo("alice");
        assertThat(first.getValue("sandbox")).isNull();
        assertThat(first.getString("token")).isEqualTo("tok-a");
        assertThat(first.getLong("total_tokens")).isEqualTo(first.getLong("prompt_tokens") + first.getLong("completion_tokens"));
        assertThat(first.getLong("spend_micros")).isEqualTo(7);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void pagingThroughCsv_returnsTheSameRecords_withAHeaderOnEveryPage(TestDatabases.Kind kind) throws Exception {
        int port = start(kind);

        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            HttpResponse<String> page = get(port, "/admin/usage/records?" + RANGE + "&format=csv&limit=7"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).contains("text/csv; charset=utf-8; header=present");
            assertThat(page.body()).startsWith(String.join(",", ExportFormat.COLUMNS) + "\r\n").endsWith("\r\n");
            String[] lines = page.body().split("\r\n");
            for (int i = 1; i < lines.length; i++) {
                ids.add(lines[i].substring(0, lines[i].indexOf(',')));
            }
            cursor = page.headers().firstValue("X-Next-Cursor").orElse(null);
        } while (cursor != null);

        assertThat(ids).hasSize(IN_RANGE).doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void filters_narrowTheRecords(TestDatabases.Kind kind) throws Exception {
        int port = start(kind);

        HttpResponse<String> response = get(port, "/admin/usage/records?" + RANGE + "&format=ndjson&organization=acme"
                + "&sandbox=sb-1&limit=100000");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Next-Cursor")).isEmpty();
        List<JsonObject> rows = response.body().lines().map(JsonObject::new).toList();
        assertThat(rows).isNotEmpty().allSatisfy(row -> assertThat(row.getString("token")).isEqualTo("tok-s"));
        assertThat(rows).as("records 1, 4, ..., 22 are the sandbox's").hasSize(8);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void csv_quotesPerRfc4180_andDisarmsFormulas(TestDatabases.Kind kind) throws Exception {
        int port = start(kind);
        Caller tricky = new Caller("evil", "=HYPERLINK(\"http://x\")", "+sb", "-tok", "@pat");
        database.jdbi().useTransaction(handle -> UsageRows.insert(handle, List.of(new UsageRecord(
                T0.plusSeconds(100), "a,b \"c\"\nd", tricky, "ch-1", "gpt", 1, 2, Outcome.COMPLETED, 200, 3, 4)), () -> true));

        HttpResponse<String> csv = get(port, "/admin/usage/records?" + RANGE + "&format=csv&organization=evil");
        HttpResponse<String> ndjson = get(port, "/admin/usage/records?" + RANGE + "&format=ndjson&organization=evil");

        String line = csv.body().split("\r\n", 2)[1];
        assertThat(line).endsWith(",\"a,b \"\"c\"\"\nd\",evil,\"'=HYPERLINK(\"\"http://x\"\")\",'+sb,'-tok,'@pat,ch-1,gpt,"
                + "completed,200,1,2,3,4,3\r\n");
        JsonObject raw = new JsonObject(ndjson.body().strip());
        assertThat(raw.getString("request_id")).isEqualTo("a,b \"c\"\nd");
        assertThat(raw.getString("user")).isEqualTo("=HYPERLINK(\"http://x\")");
        assertThat(raw.getString("token_type")).isEqualTo("@pat");
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void rejections_answerTheirStatusAndCode_andRunNoQuery(TestDatabases.Kind kind) throws Exception {
        int port = start(kind);
        String path = "/admin/usage/records?" + RANGE;
        queries = 0;

        assertRejected(get(port, path + "&format=csv", null), 401, "missing_token");
        assertRejected(get(port, path, SECRET), 400, "missing_parameter");
        assertRejected(get(port, path + "&format=xlsx"), 400, "invalid_parameter");
        assertRejected(get(port, path + "&format=csv&limit=0"), 400, "invalid_parameter");
        assertRejected(get(port, path + "&format=csv&limit=100001"), 400, "invalid_parameter");
        assertRejected(get(port, path + "&format=csv&limit=ten"), 400, "invalid_parameter");
        assertRejected(get(port, path + "&format=csv&cursor=bm90LWEtY3Vyc29y"), 400, "invalid_parameter");
        assertRejected(get(port, path + "&format=csv&cursor=%25%25"), 400, "invalid_parameter");
        assertRejected(get(port, path + "&format=csv&cursor=" + new RecordCursor(1, 2).encode() + "x"), 400,
                "invalid_parameter");
        assertRejected(get(port, "/admin/usage/records?from=-999999999-01-01T00:00:00Z&to=2026-03-01T11:00:00Z"
                + "&format=csv"), 400, "invalid_parameter");
        assertRejected(get(port, "/admin/usage/records?from=2026-03-01T10:00:00Z&to="
                + URLEncoder.encode("+1000000000-12-31T23:59:59Z", StandardCharsets.UTF_8) + "&format=csv"), 400,
                "invalid_parameter");
        assertRejected(get(port, path + "&format=csv&groupBy=model"), 400, "unknown_parameter");
        assertRejected(get(port, path + "&format=csv&format=ndjson"), 400, "invalid_parameter");

        assertThat(queries).as("no rejected request reached the database").isZero();
    }

    private static void assertRejected(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(new JsonObject(response.body()).getString("code")).isEqualTo(code);
    }

    private static Caller[] seedCallers() {
        return new Caller[] {ALICE, SANDBOX, GLOBEX};
    }

    private Database database;

    private int start(TestDatabases.Kind kind) {
        store = kind.create(dir);
        database = store.open();
        List<UsageRecord> records = new ArrayList<>();
        for (int i = 0; i < IN_RANGE; i++) {
            Caller caller = seedCallers()[i % 3];
            // Three records per millisecond, identical but for their caller: only the id tells them apart.
            records.add(new UsageRecord(T0.plusMillis(i / 3), null, caller, "ch-1", "gpt-4o", 10, 5, Outcome.COMPLETED,
                    200, 42, 7));
        }
        records.add(new UsageRecord(T0.minusMillis(1), null, ALICE, "ch-1", "gpt-4o", 1, 1, Outcome.COMPLETED, 200, 1, 0));
        records.add(new UsageRecord(T0.plusSeconds(3600), null, ALICE, "ch-1", "gpt-4o", 1, 1, Outcome.COMPLETED, 200, 1,
                0));
        for (int i = 0; i < records.size(); i += 4) {
            List<UsageRecord> batch = records.subList(i, Math.min(records.size(), i + 4));
            database.jdbi().useTransaction(handle -> UsageRows.insert(handle, batch, () -> true));
        }
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
                List.of(new UsageRecordsRoutes(admin, new JdbcUsageRecords(database))));
        return server.start().await();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return get(port, path, SECRET);
    }

    private HttpResponse<String> get(int port, String path, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
