package dev.gatehouse.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.gatehouse.server.logging.LoggingConfig.GatewayAccess;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** One access-log line per request, and for the gateway's /v1/ calls only as configured. */
class AccessLogTest {
    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client = HttpClient.newHttpClient();
    private final Logger access = (Logger) LoggerFactory.getLogger("gatehouse.access");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private int port;

    private Level levelBefore;

    @AfterEach
    void stop() {
        access.detachAppender(lines);
        access.setLevel(levelBefore);
        client.close();
        vertx.close().await();
    }

    private void start(GatewayAccess gatewayAccess) {
        lines.start();
        levelBefore = access.getLevel();
        access.setLevel(Level.INFO);
        access.addAppender(lines);
        Router router = Router.router(vertx);
        router.route().handler(new RequestIds()).handler(new AccessLog(gatewayAccess));
        router.get("/v1/ok").handler(ctx -> ctx.end("ok"));
        router.get("/v1/limited").handler(ctx -> ctx.response().setStatusCode(429).end());
        router.get("/v1/never").handler(ctx -> {});
        router.get("/admin/ok").handler(ctx -> ctx.end("ok"));
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
        port = server.actualPort();
    }

    @Test
    void failures_logsTheGatewaysFailedAndAbortedCalls_andEveryOtherPath() throws Exception {
        start(GatewayAccess.FAILURES);

        get("/v1/ok");
        get("/v1/limited?api_key=sk-secret");
        get("/admin/ok");
        abort("/v1/never");

        awaitLines(3);
        assertThat(lines.list).extracting(AccessLogTest::summary).containsExactlyInAnyOrder(
                "request GET /v1/limited 429", "request GET /admin/ok 200", "request aborted GET /v1/never 200");
        assertThat(lines.list).allSatisfy(line -> assertThat(line.getKeyValuePairs().toString()).doesNotContain("sk-secret"));
    }

    @Test
    void all_logsEveryCall() throws Exception {
        start(GatewayAccess.ALL);

        get("/v1/ok");
        get("/admin/ok");

        awaitLines(2);
        assertThat(lines.list).extracting(AccessLogTest::summary)
                .containsExactly("request GET /v1/ok 200", "request GET /admin/ok 200");
        assertThat(fields(lines.list.get(0))).containsKeys("requestId", "durationMs");
    }

    @Test
    void none_logsNoGatewayCall_butStillEveryOtherPath() throws Exception {
        start(GatewayAccess.NONE);

        get("/v1/limited");
        get("/admin/ok");

        awaitLines(1);
        Thread.sleep(200);
        assertThat(lines.list).extracting(AccessLogTest::summary).containsExactly("request GET /admin/ok 200");
    }

    private void get(String path) throws Exception {
        client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /** Sends a request the server never answers, then hangs up. */
    private void abort(String path) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(200);
        }
    }

    private void awaitLines(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (lines.list.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(100);
    }

    private static Map<String, Object> fields(ILoggingEvent line) {
        List<KeyValuePair> pairs = line.getKeyValuePairs();
        return pairs.stream().collect(Collectors.toMap(pair -> pair.key, pair -> pair.value));
    }

    private static String summary(ILoggingEvent line) {
        Map<String, Object> fields = fields(line);
        return line.getMessage() + " " + fields.get("method") + " " + fields.get("path") + " " + fields.get("status");
    }
}
