package dev.gatehouse.server.http.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * Vert.x's Micrometer metrics ({@link MicrometerMetricsFactory}, configured by its {@code
 * MicrometerMetricsOptions}), except that each HTTP server's requests are measured by {@link
 * HttpServerMeters}: the same meters, without the five meter look-ups (one a gauge registration)
 * Vert.x 5 makes per request, which took 3–4 % of the gateway's event loops at saturation
 * (bench/README.md, run 20). The options' metrics naming and labels must be Vert.x's defaults, as
 * Gatehouse sets them, and each Vert.x instance needs a registry of its own (Gatehouse gives each a
 * name of its own): the request meters of two instances sharing one would be those of the first.
 */
public final class LeanHttpServerMetricsFactory implements VertxMetricsFactory {
    private final MicrometerMetricsFactory micrometer;

    /** @param registry where the metrics go, unless the options' registry name is already in use in this JVM */
    public LeanHttpServerMetricsFactory(MeterRegistry registry) {
        this.micrometer = new MicrometerMetricsFactory(requireNonNull(registry, "registry"));
    }

    @Override
    public VertxMetrics metrics(VertxOptions options) {
        VertxMetrics metrics = micrometer.metrics(options);
        // The registry Vert.x set up under the options' name: an earlier one of that name wins over ours.
        MetricsOptions metricsOptions = options.getMetricsOptions();
        String registryName = (metricsOptions instanceof MicrometerMetricsOptions micrometerOptions
                ? micrometerOptions : new MicrometerMetricsOptions(metricsOptions.toJson())).getRegistryName();
        return new Metrics(metrics, new HttpServerMeters(BackendRegistries.getNow(registryName)));
    }

    @Override
    public MetricsOptions newOptions() {
        return micrometer.newOptions();
    }

    @Override
    public MetricsOptions newOptions(MetricsOptions options) {
        return micrometer.newOptions(options);
    }

    @Override
    public MetricsOptions newOptions(JsonObject json) {
        return micrometer.newOptions(json);
    }

    /** Micrometer's metrics, with the HTTP servers' requests on {@link HttpServerMeters}. */
    private record Metrics(VertxMetrics micrometer, HttpServerMeters serverMeters) implements VertxMetrics {
        @Override
        public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions options, SocketAddress localAddress) {
            HttpServerMetrics<?, ?, ?> connections = micrometer.createHttpServerMetrics(options, localAddress);
            return connections == null ? null : new HttpServerRequestMetrics(serverMeters, connections);
        }

        @Override
        public EventBusMetrics createEventBusMetrics() {
            return micrometer.createEventBusMetrics();
        }

        @Override
        public ClientMetrics<?, ?, ?> createClientMetrics(SocketAddress remoteAddress, String type, String namespace) {
            return micrometer.createClientMetrics(remoteAddress, type, namespace);
        }

        @Override
        public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions options) {
            return micrometer.createHttpClientMetrics(options);
        }

        @Override
        public TCPMetrics<?> createNetServerMetrics(NetServerOptions options, SocketAddress localAddress) {
            return micrometer.createNetServerMetrics(options, localAddress);
        }

        @Override
        public TCPMetrics<?> createNetClientMetrics(NetClientOptions options) {
            return micrometer.createNetClientMetrics(options);
        }

        @Override
        public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions options) {
            return micrometer.createDatagramSocketMetrics(options);
        }

        @Override
        public PoolMetrics<?, ?> createPoolMetrics(String poolType, String poolName, int maxPoolSize) {
            return micrometer.createPoolMetrics(poolType, poolName, maxPoolSize);
        }

        @Override
        public void vertxCreated(Vertx vertx) {
            micrometer.vertxCreated(vertx);
        }

        @Override
        public boolean isMetricsEnabled() {
            return micrometer.isMetricsEnabled();
        }

        @Override
        public void close() {
            micrometer.close();
        }
    }
}
