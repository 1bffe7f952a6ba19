package dev.gatehouse.server;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.gateway.GatewayParts;
import dev.gatehouse.server.gateway.channels.Channels;
import dev.gatehouse.server.gateway.metrics.ChannelMetrics;
import dev.gatehouse.server.http.GatehouseHttpServer;
import dev.gatehouse.server.http.HealthRoutes;
import dev.gatehouse.server.http.ReadinessCheck;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.pat.PatBackground;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.tokens.DiscoveryRoutes;
import dev.gatehouse.server.tokens.KeyRing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Gatehouse process: the store, the signing keys and the HTTP server with the routes of
 * the configured roles. {@link #start} blocks until the server listens; {@link #close} shuts down
 * gracefully (in-flight requests finish within {@code server.shutdownTimeout}). Not reusable after
 * close.
 */
public final class Gatehouse implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gatehouse.class);

    private final GatehouseConfig config;
    private final Infrastructure infrastructure;
    private final Vertx vertx;
    private final GatehouseHttpServer http;
    private final long keyReloadTimer;
    private final PatBackground patBackground;
    private final GatewayParts gatewayParts;
    private final Channels channels;

    private Gatehouse(GatehouseConfig config, Infrastructure infrastructure, Vertx vertx, GatehouseHttpServer http,
            long keyReloadTimer, PatBackground patBackground, GatewayParts gatewayParts, Channels channels) {
        this.config = config;
        this.infrastructure = infrastructure;
        this.vertx = vertx;
        this.http = http;
        this.keyReloadTimer = keyReloadTimer;
        this.patBackground = patBackground;
        this.gatewayParts = gatewayParts;
        this.channels = channels;
    }

    /**
     * Opens the store and keys, then starts listening. Fails (and releases everything) if any step
     * fails. The store is opened on its own thread while Vert.x starts: the two are independent and
     * together make up most of the start-up time.
     */
    public static Gatehouse start(GatehouseConfig config) {
        return start(config, (infrastructure, metrics) -> GatewayParts.metered(config.gateway(),
                config.gatewayLimits(), infrastructure.database(), metrics, Clock.systemUTC()));
    }

    /** As {@link #start(GatehouseConfig)}, with the given gateway metering and limit components (tests). */
    public static Gatehouse start(GatehouseConfig config, GatewayParts gatewayParts) {
        requireNonNull(gatewayParts, "gatewayParts");
        return start(config, (infrastructure, metrics) -> gatewayParts);
    }

    private static Gatehouse start(GatehouseConfig config,
            BiFunction<Infrastructure, MeterRegistry, GatewayParts> gatewayPartsFactory) {
        requireNonNull(config, "config");
        CompletableFuture<Infrastructure> opening = new CompletableFuture<>();
        Thread.ofPlatform().name("gatehouse-open-store").start(() -> {
            try {
                opening.complete(Infrastructure.open(config, Clock.systemUTC()));
            } catch (Throwable e) {
                opening.completeExceptionally(e);
            }
        });
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // The gateway's channels are the only HTTP client: ChannelMetrics measures them per channel,
        // so Vert.x's own client metrics (several tagged meter look-ups per request) would only add cost.
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
                        .setEnabled(true)
                        .setJvmMetricsEnabled(true)
                        .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
                        // Vert.x keeps registries by this name, JVM-wide: under a shared name a second
                        // Gatehouse in this JVM would record into the first one's registry, not its own.
                        .setRegistryName("gatehouse-" + UUID.randomUUID())))
                .withMetrics(new MicrometerMetricsFactory(metrics))
                .build();
        Infrastructure infrastructure;
        try {
            infrastructure = awaitOpened(opening);
        } catch (RuntimeException e) {
            vertx.close().await();
            throw e;
        }
        GatewayParts gatewayParts = null;
        Channels channels = Channels.none();
        try {
            gatewayParts = gatewayPartsFactory.apply(infrastructure, metrics);
            // Channel API keys are read here, so a missing key fails the start naming the channel.
            if (config.roles().contains(Role.GATEWAY)) {
                channels = Channels.open(vertx, config.gateway(), config.http().eventLoopCount(), System::getenv);
            }
            GatehouseHttpServer http = new GatehouseHttpServer(vertx, config.http(), metrics,
                    routes(config, infrastructure, vertx, gatewayParts, metrics, channels));
            int port = http.start().await();
            long timer = scheduleKeyReload(vertx, config, infrastructure.keyRing());
            PatBackground patBackground = PatBackground.start(vertx, config.pat(), infrastructure.revokedTokens(),
                    infrastructure.lastUsed());
            log.atInfo()
                    .addKeyValue("port", port)
                    .addKeyValue("roles", config.roles())
                    .addKeyValue("issuer", config.tokens().issuer())
                    .log("Gatehouse is listening on http://" + config.http().host() + ":" + port);
            return new Gatehouse(config, infrastructure, vertx, http, timer, patBackground, gatewayParts, channels);
        } catch (RuntimeException e) {
            channels.close();
            vertx.close().await();
            closeQuietly(gatewayParts);
            infrastructure.close();
            throw e;
        }
    }

    private static Infrastructure awaitOpened(CompletableFuture<Infrastructure> opening) {
        try {
            return opening.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private static List<Routes> routes(GatehouseConfig config, Infrastructure infrastructure, Vertx vertx,
            GatewayParts gatewayParts, MeterRegistry metrics, Channels channels) {
        Database database = infrastructure.database();
        KeyRing keyRing = infrastructure.keyRing();
        List<Routes> routes = new ArrayList<>();
        routes.add(new HealthRoutes(vertx, List.of(
                ReadinessCheck.of("store", database::isReachable),
                ReadinessCheck.of("signing-keys", keyRing::isReady),
                ReadinessCheck.of("revocations", () -> infrastructure.revokedTokens()
                        .isFresherThan(config.pat().revocationPollInterval().multipliedBy(5)))))::register);
        routes.add(new DiscoveryRoutes(keyRing, config.tokens(), infrastructure.signingAlgorithms()));
        AdminAuth admin = new AdminAuth(config.admin(), infrastructure.serviceAccountVerifier());
        if (config.roles().contains(Role.AUTH)) {
            routes.addAll(AuthRole.routes(config, infrastructure, admin));
        }
        if (config.roles().contains(Role.GATEWAY)) {
            routes.addAll(GatewayRole.routes(config, infrastructure, vertx, gatewayParts, metrics, channels, admin));
        }
        return routes;
    }

    /** Replicas see rotations made elsewhere (another replica, {@code gatehouse keys rotate}). */
    private static long scheduleKeyReload(Vertx vertx, GatehouseConfig config, KeyRing keyRing) {
        return vertx.setPeriodic(config.keys().refreshInterval().toMillis(), id -> vertx.executeBlocking(() -> {
            keyRing.reload();
            return null;
        }, false).onFailure(e -> log.atWarn().setCause(e).log("signing key reload failed; keeping the current keys")));
    }

    private static void closeQuietly(GatewayParts parts) {
        if (parts == null) {
            return;
        }
        try {
            parts.close();
        } catch (Exception e) {
            log.atError().setCause(e).log("flushing gateway usage or settling reservations failed");
        }
    }

    public int port() {
        return http.port();
    }

    /** The base URL this process answers on (loopback-resolvable when bound to a wildcard). */
    public URI localUrl() {
        String host = config.http().host();
        String reachable = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        return URI.create("http://" + reachable + ":" + port());
    }

    public KeyRing keyRing() {
        return infrastructure.keyRing();
    }

    public Database database() {
        return infrastructure.database();
    }

    @Override
    public void close() {
        log.info("shutting down: draining in-flight requests");
        vertx.cancelTimer(keyReloadTimer);
        try {
            http.shutdown().await();
            patBackground.stop();
            channels.close();
            closeQuietly(gatewayParts);
            vertx.close().await();
        } finally {
            infrastructure.close();
        }
        log.info("Gatehouse stopped");
    }
}
