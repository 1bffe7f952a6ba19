package dev.gatehouse.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ManagementServerTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void thePortTheApiBound_isRefused_evenWhenTheConfigurationCouldNotSeeIt() {
        // server.port 0 resolves at start: the configuration cannot compare it with server.managementPort.
        int apiPort = 18_123;
        ManagementServer management = new ManagementServer(vertx, config(apiPort), new PrometheusMeterRegistry(
                PrometheusConfig.DEFAULT), new HealthRoutes(List.of()));

        assertThatThrownBy(() -> management.start(apiPort).await())
                .hasMessage("server.managementPort: 18123 is the API port (expected: a port of its own: /metrics stays"
                        + " off the API port)");
    }

    @Test
    void aPortOfItsOwn_isBound() {
        ManagementServer management = new ManagementServer(vertx, config(0), new PrometheusMeterRegistry(
                PrometheusConfig.DEFAULT), new HealthRoutes(List.of()));

        assertThat(management.start(18_123).await()).isPositive().isNotEqualTo(18_123);
    }

    private static HttpConfig config(int managementPort) {
        return new HttpConfig("127.0.0.1", 0, managementPort, URI.create("http://127.0.0.1"), 1024 * 1024,
                Duration.ofSeconds(1), 0);
    }
}
