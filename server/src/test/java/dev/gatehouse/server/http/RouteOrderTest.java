package dev.gatehouse.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.logging.LoggingConfig;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RouteOrderTest {
    private static final String PASSED = "X-Passed-Other-Routes";

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client = HttpClient.newHttpClient();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void routesMatchedFirst_areTestedBeforeThoseAddedBeforeThem_andTheOthersKeepTheirOrder() throws Exception {
        Routes inFrontOfEverything = router -> router.route().handler(ctx -> {
            ctx.response().putHeader(PASSED, "yes");
            ctx.next();
        });
        Routes cold = router -> router.get("/cold").handler(ctx -> ctx.end("cold"));
        Routes hot = new Routes() {
            @Override
            public void register(Router router) {
                router.get("/hot").handler(ctx -> ctx.end("hot"));
            }

            @Override
            public boolean matchedFirst() {
                return true;
            }
        };
        GatehouseHttpServer server = new GatehouseHttpServer(vertx,
                new HttpConfig("127.0.0.1", 0, 0, URI.create("http://127.0.0.1"), 1024 * 1024, Duration.ofSeconds(1), 0),
                LoggingConfig.GatewayAccess.ALL, List.of(inFrontOfEverything, cold, hot));
        int port = server.start().await();

        HttpResponse<String> hotAnswer = get(port, "/hot");
        HttpResponse<String> coldAnswer = get(port, "/cold");

        assertThat(hotAnswer.body()).isEqualTo("hot");
        assertThat(hotAnswer.headers().firstValue(PASSED)).isEmpty();
        assertThat(coldAnswer.body()).isEqualTo("cold");
        assertThat(coldAnswer.headers().firstValue(PASSED)).hasValue("yes");
        assertThat(hotAnswer.headers().firstValue(RequestIds.HEADER)).isPresent();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
