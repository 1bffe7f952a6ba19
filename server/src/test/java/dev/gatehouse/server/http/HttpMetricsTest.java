package dev.gatehouse.server.http;

import static dev.gatehouse.server.TestGatehouse.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.testing.PrometheusScrape;
import dev.gatehouse.server.testing.PrometheusScrape.Sample;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code /metrics} reports about the HTTP server, scraped from a real Gatehouse. */
class HttpMetricsTest {
    @TempDir
    Path dir;

    @Test
    void connectionsAndRequests_ofEveryServerInstance_areReportedTogether() throws Exception {
        // Connections are handed to the per-event-loop servers in turn: several each.
        int connections = 2 * Runtime.getRuntime().availableProcessors();
        try (Gatehouse gatehouse = Gatehouse.start(TestGatehouse.config(dir, Map.of()))) {
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < connections; i++) {
                    Socket socket = new Socket(gatehouse.localUrl().getHost(), gatehouse.port());
                    open.add(socket);
                    assertThat(statusLine(socket, "/no-such-page")).isEqualTo("HTTP/1.1 404 Not Found");
                }

                Await.until("every connection counted, the scrape's too", Duration.ofSeconds(5),
                        () -> activeConnections(gatehouse) == connections + 1);
                assertThat(requests(gatehouse, "404")).isEqualTo(connections);
            } finally {
                for (Socket socket : open) {
                    socket.close();
                }
            }
            Await.until("closed connections no longer counted", Duration.ofSeconds(5),
                    () -> activeConnections(gatehouse) == 1);
        }
    }

    @Test
    void twoGatehousesInOneJvm_eachReportsItsOwnServerMetrics() {
        try (Gatehouse a = Gatehouse.start(TestGatehouse.config(dir.resolve("a"), Map.of()));
                Gatehouse b = Gatehouse.start(TestGatehouse.config(dir.resolve("b"), Map.of()))) {
            for (int i = 0; i < 3; i++) {
                get(b.localUrl().resolve("/healthz"));
            }
            get(a.localUrl().resolve("/healthz"));

            assertThat(requests(b, "200")).isEqualTo(3);
            assertThat(requests(a, "200")).isEqualTo(1);
        }
    }

    /** Sends one GET on {@code socket}, which stays open; the response's status line. */
    private static String statusLine(Socket socket, String path) throws IOException {
        socket.setSoTimeout(5_000);
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    /** Open connections, the scrape's own included. */
    private static double activeConnections(Gatehouse gatehouse) {
        return samples(gatehouse, "vertx_http_server_active_connections").stream().mapToDouble(Sample::value).sum();
    }

    /** The requests answered with {@code status} so far, by {@code gatehouse}'s own {@code /metrics}. */
    private static double requests(Gatehouse gatehouse, String status) {
        return samples(gatehouse, "vertx_http_server_requests_total").stream()
                .filter(sample -> status.equals(sample.labels().get("code")))
                .mapToDouble(Sample::value)
                .sum();
    }

    private static List<Sample> samples(Gatehouse gatehouse, String metric) {
        return PrometheusScrape.parse(PrometheusScrape.fetchText(gatehouse.managementUrl())).samples().stream()
                .filter(sample -> sample.name().equals(metric))
                .toList();
    }
}
