package dev.gatehouse.server.http;

import static dev.gatehouse.server.TestGatehouse.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.testing.PrometheusScrape;
import dev.gatehouse.server.testing.PrometheusScrape.Sample;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code /metrics} reports about the HTTP server, scraped from a real Gatehouse. */
class HttpMetricsTest {
    @TempDir
    Path dir;

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

    /** The requests answered with {@code status} so far, by {@code gatehouse}'s own {@code /metrics}. */
    private static double requests(Gatehouse gatehouse, String status) {
        return samples(gatehouse, "vertx_http_server_requests_total").stream()
                .filter(sample -> status.equals(sample.labels().get("code")))
                .mapToDouble(Sample::value)
                .sum();
    }

    private static List<Sample> samples(Gatehouse gatehouse, String metric) {
        return PrometheusScrape.parse(PrometheusScrape.fetchText(gatehouse.localUrl())).samples().stream()
                .filter(sample -> sample.name().equals(metric))
                .toList();
    }
}
