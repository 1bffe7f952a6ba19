package dev.gatehouse.server.http.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.testing.Await;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LeanHttpServerMetricsFactoryTest {
    /** Durations vary from run to run; everything else is the same for the same traffic. */
    private static final Pattern TIMED = Pattern.compile("^vertx_http_server_response_time_seconds_(sum|max)\\{.*");

    @Test
    void theSameRequests_giveTheSameHttpServerMetrics_asVertxsOwn() throws Exception {
        String vertxs = scrapeAfterTraffic(MicrometerMetricsFactory::new, List.of("GET", "POST", "DELETE"));
        String lean = scrapeAfterTraffic(LeanHttpServerMetricsFactory::new, List.of("GET", "POST", "DELETE"));

        assertThat(httpServerLines(lean)).isNotEmpty()
                .contains("vertx_http_server_requests_total{code=\"201\",method=\"POST\"} 3.0",
                        "vertx_http_server_request_bytes_sum{method=\"POST\"} 11.0",
                        "vertx_http_server_active_requests{method=\"GET\"} 0.0")
                .containsExactlyElementsOf(httpServerLines(vertxs));
    }

    @Test
    void methodsVertxDoesNotName_shareOneTag_soACallerCannotAddMetersWithoutBound() throws Exception {
        String lean = scrapeAfterTraffic(LeanHttpServerMetricsFactory::new, List.of("FOO1", "FOO2", "GET"));

        assertThat(httpServerLines(lean))
                .contains("vertx_http_server_requests_total{code=\"405\",method=\"OTHER\"} 2.0",
                        "vertx_http_server_requests_total{code=\"200\",method=\"GET\"} 1.0")
                .noneMatch(line -> line.contains("FOO"));
    }

    @Test
    void aRequestWhoseClientLeaves_isCountedOutOnce_andCountedAsOneReset() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Vertx vertx = vertx(LeanHttpServerMetricsFactory::new, registry);
        try {
            int port = serve(vertx).actualPort();
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.setSoLinger(true, 0); // closed with a TCP reset: Vert.x sees an error, then the close
                client.getOutputStream().write("GET /never HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                Await.until("the request is active", Duration.ofSeconds(5),
                        () -> registry.scrape().contains("vertx_http_server_active_requests{method=\"GET\"} 1.0"));
            }

            // Vert.x reports the reset, then again as the connection closes (its own gauge goes to -1).
            Await.until("the reset is measured", Duration.ofSeconds(5), () -> registry.scrape()
                    .contains("vertx_http_server_request_resets_total{method=\"GET\"} 1.0"));
            Thread.sleep(200); // time for the second report, which must not count
            assertThat(httpServerLines(registry.scrape()))
                    .contains("vertx_http_server_active_requests{method=\"GET\"} 0.0")
                    .doesNotContain("vertx_http_server_request_resets_total{method=\"GET\"} 2.0");
        } finally {
            vertx.close().await();
        }
    }

    /** Starts a Vert.x with the factory, sends each method once, then a 404 and two POSTs with a body, and scrapes. */
    private static String scrapeAfterTraffic(Function<PrometheusMeterRegistry, VertxMetricsFactory> factory,
            List<String> methods) throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Vertx vertx = vertx(factory, registry);
        try {
            URI base = URI.create("http://127.0.0.1:" + serve(vertx).actualPort());
            try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                for (String method : methods) {
                    client.send(HttpRequest.newBuilder(base.resolve("/")).method(method, BodyPublishers.noBody()).build(),
                            BodyHandlers.discarding());
                }
                client.send(HttpRequest.newBuilder(base.resolve("/missing")).GET().build(), BodyHandlers.discarding());
                for (String body : List.of("hello", "world!")) {
                    client.send(HttpRequest.newBuilder(base.resolve("/")).POST(BodyPublishers.ofString(body)).build(),
                            BodyHandlers.discarding());
                }
            }
            // A response's metrics are taken once it is written, which may be just after the client read it.
            int sent = methods.size() + 3;
            Await.until("every response measured", Duration.ofSeconds(5), () -> registry.scrape().lines()
                    .filter(line -> line.startsWith("vertx_http_server_requests_total{"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum() == sent);
            return registry.scrape();
        } finally {
            vertx.close().await();
        }
    }

    private static Vertx vertx(Function<PrometheusMeterRegistry, VertxMetricsFactory> factory,
            PrometheusMeterRegistry registry) {
        return Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                        .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
                        .setRegistryName("lean-test-" + UUID.randomUUID())))
                .withMetrics(factory.apply(registry))
                .build();
    }

    /** GET and DELETE of / answer 200, of /never nothing, of other paths 404; POST echoes with 201; others 405. */
    private static HttpServer serve(Vertx vertx) {
        return vertx.createHttpServer().requestHandler(request -> {
            switch (request.method().name()) {
                case "GET", "DELETE" -> {
                    if (!request.path().equals("/never")) {
                        request.response().setStatusCode(request.path().equals("/") ? 200 : 404).end("hello");
                    }
                }
                case "POST" -> request.body().onSuccess(body -> request.response().setStatusCode(201).end(body));
                default -> request.response().setStatusCode(405).end();
            }
        }).listen(0, "127.0.0.1").await();
    }

    private static List<String> httpServerLines(String scrape) {
        // Left out: the resets counter, which Vert.x registers at the first reset and this factory with its
        // method's other meters, and the open connections, which depend on when the client closed them.
        return scrape.lines()
                .filter(line -> line.startsWith("vertx_http_server_") && !line.startsWith("vertx_http_server_request_resets")
                        && !line.startsWith("vertx_http_server_active_connections"))
                .map(line -> TIMED.matcher(line).matches() ? line.replaceFirst(" [^ ]+$", " <time>") : line)
                .sorted()
                .collect(Collectors.toList());
    }
}
