package dev.gatehouse.server;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.config.Role;
import dev.gatehouse.server.gateway.api.GatewayParts;
import dev.gatehouse.server.console.ConsoleCookieAuth;
import dev.gatehouse.server.http.GatehouseHttpServer;
import dev.gatehouse.server.http.HealthRoutes;
import dev.gatehouse.server.http.ManagementServer;
import dev.gatehouse.server.http.ReadinessCheck;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.http.metrics.LeanHttpServerMetricsFactory;
import dev.gatehouse.server.pat.PatBackground;
import dev.gatehouse.server.sandbox.SandboxBackend;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.GroupCommitter;
import dev.gatehouse.server.tokens.DiscoveryRoutes;
import dev.gatehouse.server.tokens.KeyRing;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Gatehouse process: the store, the signing keys, the configured roles (each opening
 * and closing only what it needs), the HTTP server with their routes and the management server
 * ({@code /metrics} and the health probes). {@link #start} blocks until both listen; {@link #close}
 * shuts down gracefully (in-flight requests finish within {@code server.shutdownTimeout}). Not
 * reusable after close.
 */
public final class Gatehouse implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gatehouse.class);

    private final GatehouseConfig config;
    private final Infrastructure infrastructure;
    private final Vertx vertx;
    private final GatehouseHttpServer http;
    private final ManagementServer management;
    private final long keyReloadTimer;
    private final PatBackground patBackground;
    private final List<RunningRole> roles;

    private Gatehouse(GatehouseConfig config, Infrastructure infrastructure, Vertx vertx, GatehouseHttpServer http,
            ManagementServer management, long keyReloadTimer, PatBackground patBackground, List<RunningRole> roles) {
        this.config = config;
        this.infrastructure = infrastructure;
        this.vertx = vertx;
        this.http = http;
        this.management = management;
        this.keyReloadTimer = keyReloadTimer;
        this.patBackground = patBackground;
        this.roles = roles;
    }

    /**
     * Opens the store and keys, then the configured roles, then starts both listeners. Fails (and releases
     * everything) if any step fails.
     */
    public static Gatehouse start(GatehouseConfig config) {
        return builder(config).start();
    }

    /** As {@link #start(GatehouseConfig)}, with the given gateway metering and limit components (tests). */
    public static Gatehouse start(GatehouseConfig config, GatewayParts gatewayParts) {
        return builder(config).gatewayParts(gatewayParts).start();
    }

    public static Builder builder(GatehouseConfig config) {
        return new Builder(config);
    }

    /**
     * Starts a Gatehouse with some of its parts replaced (tests, benchmarks); every part not set is
     * the production one.
     */
    public static final class Builder {
        private final GatehouseConfig config;
        private Function<RoleContext, GatewayParts> gatewayParts = Builder::meteredGatewayParts;
        private Function<GatehouseConfig, SandboxBackend> sandboxBackend = SandboxWiring::backend;
        private Clock clock = Clock.systemUTC();
        private Supplier<GatehouseConfig> configSource;

        private Builder(GatehouseConfig config) {
            this.config = requireNonNull(config, "config");
            this.configSource = () -> config;
        }

        /**
         * Reads the configuration anew, for {@code POST /admin/channels/reload} (default: the
         * configuration given, so a reload changes nothing); throws
         * {@link dev.gatehouse.server.config.ConfigException} listing its problems.
         */
        public Builder configSource(Supplier<GatehouseConfig> source) {
            this.configSource = requireNonNull(source, "source");
            return this;
        }

        /** The gateway's metering and limits (default: {@link GatewayParts#metered} on the store). */
        public Builder gatewayParts(GatewayParts parts) {
            requireNonNull(parts, "parts");
            this.gatewayParts = context -> parts;
            return this;
        }

        /** Where sandboxes run (default: {@code sandbox.backend}'s). */
        public Builder sandboxBackend(Function<GatehouseConfig, SandboxBackend> factory) {
            this.sandboxBackend = requireNonNull(factory, "factory");
            return this;
        }

        /**
         * The roles' clock: when tokens are minted and usage is recorded, and when sandboxes are reaped
         * and given new tokens (default: the system clock). Tokens are verified on the system clock.
         */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        public Gatehouse start() {
            return Gatehouse.start(this);
        }

        private static GatewayParts meteredGatewayParts(RoleContext context) {
            GatehouseConfig config = context.config();
            Infrastructure infrastructure = context.infrastructure();
            return GatewayParts.metered(config.gatewayLimits(), config.gatewayBudgets(), config.gatewayLimitsStore(),
                    config.gatewayUsage(), infrastructure.database(), infrastructure.storeHealth(), context.metrics(),
                    context.clock());
        }
    }

    /**
     * The store is opened on its own thread while Vert.x starts: the two are independent and together
     * make up most of the start-up time.
     */
    private static Gatehouse start(Builder builder) {
        GatehouseConfig config = builder.config;
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
                .with(new VertxOptions().setPreferNativeTransport(true).setMetricsOptions(new MicrometerMetricsOptions()
                        .setEnabled(true)
                        .setJvmMetricsEnabled(true)
                        .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
                        // Vert.x keeps registries by this name, JVM-wide: under a shared name a second
                        // Gatehouse in this JVM would record into the first one's registry, not its own.
                        .setRegistryName("gatehouse-" + UUID.randomUUID())))
                .withMetrics(new LeanHttpServerMetricsFactory(metrics))
                .build();
        Infrastructure infrastructure;
        try {
            infrastructure = awaitOpened(opening);
        } catch (RuntimeException e) {
            vertx.close().await();
            throw e;
        }
        List<RunningRole> roles = new ArrayList<>();
        try {
            infrastructure.signatureProvider().register(metrics);
            RoleContext context = new RoleContext(config, builder.configSource, infrastructure, vertx, metrics,
                    new AdminAuth(config.admin(), infrastructure.serviceAccountVerifier(),
                            config.identity().local() ? Optional.of(config.tokens().issuer().toString()) : Optional.empty()), builder.clock);
            if (config.roles().contains(Role.AUTH)) {
                roles.add(AuthRole.open(context));
            }
            if (config.roles().contains(Role.GATEWAY)) {
                roles.add(GatewayRole.open(context, builder.gatewayParts));
            }
            if (config.roles().contains(Role.SANDBOX)) {
                roles.add(SandboxRole.open(context, builder.sandboxBackend));
            }
            if (config.roles().contains(Role.BYOS)) {
                roles.add(ByosRole.open(context));
            }
            HealthRoutes health = healthRoutes(context, roles);
            GatehouseHttpServer http = new GatehouseHttpServer(vertx, config.http(), config.logging().gatewayAccess(),
                    routes(context, roles, health));
            int port = http.start().await();
            ManagementServer management = new ManagementServer(vertx, config.http(), metrics, health);
            int managementPort = management.start(port).await();
            long timer = scheduleKeyReload(vertx, config, infrastructure.keyRing());
            PatBackground patBackground = PatBackground.start(vertx, config.pat(), infrastructure.revokedTokens(),
                    infrastructure.lastUsed());
            log.atInfo()
                    .addKeyValue("port", port)
                    .addKeyValue("managementPort", managementPort)
                    .addKeyValue("roles", config.roles())
                    .addKeyValue("issuer", config.tokens().issuer())
                    .addKeyValue("transport", vertx.isNativeTransportEnabled() ? "epoll" : "nio")
                    .log("Gatehouse is listening on http://" + config.http().host() + ":" + port
                            + ", management (metrics, probes) on http://" + config.http().host() + ":" + managementPort);
            if (config.roles().contains(Role.AUTH)) {
                log.info("Console: {}", consoleUrl(config, port));
            }
            return new Gatehouse(config, infrastructure, vertx, http, management, timer, patBackground,
                    List.copyOf(roles));
        } catch (RuntimeException e) {
            closeAll(roles);
            vertx.close().await();
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

    /** The console's address for people: {@code server.publicUrl}, with the port really bound when that was 0. */
    private static String consoleUrl(GatehouseConfig config, int port) {
        URI publicUrl = config.http().publicUrl();
        String base = publicUrl.getPort() == 0
                ? publicUrl.getScheme() + "://" + publicUrl.getHost() + ":" + port + publicUrl.getRawPath()
                : publicUrl.toString();
        return base.replaceAll("/+$", "") + "/console/";
    }

    /** {@code /healthz} and {@code /readyz}, served on both ports. */
    private static HealthRoutes healthRoutes(RoleContext context, List<RunningRole> roles) {
        Infrastructure infrastructure = context.infrastructure();
        GatehouseConfig config = context.config();
        List<ReadinessCheck> checks = new ArrayList<>(List.of(
                ReadinessCheck.of("store", infrastructure.storeHealth()::isUp),
                ReadinessCheck.of("signing-keys", infrastructure.keyRing()::isReady),
                ReadinessCheck.of("revocations", () -> infrastructure.revokedTokens()
                        .isFresherThan(config.pat().revocationPollInterval().multipliedBy(5)))));
        roles.forEach(role -> checks.addAll(role.readinessChecks()));
        return new HealthRoutes(checks);
    }

    private static List<Routes> routes(RoleContext context, List<RunningRole> roles, HealthRoutes health) {
        Infrastructure infrastructure = context.infrastructure();
        GatehouseConfig config = context.config();
        List<Routes> routes = new ArrayList<>();
        // First (after the routes matched first, /v1): a route matching every path must come before the others, or
        // Vert.x answers 404 for a wrong method.
        routes.add(ConsoleCookieAuth.inFrontOfEveryRoute(infrastructure.database(), config.console(), config.identity(),
                infrastructure.callerVerifier(), config.http().publicUrl(), infrastructure.secretVault(), context.clock()));
        routes.add(health::register);
        routes.add(new DiscoveryRoutes(infrastructure.keyRing(), config.tokens(), infrastructure.signingAlgorithms()));
        roles.forEach(role -> routes.addAll(role.routes()));
        return routes;
    }

    /** Replicas see rotations made elsewhere (another replica, {@code gatehouse keys rotate}). */
    private static long scheduleKeyReload(Vertx vertx, GatehouseConfig config, KeyRing keyRing) {
        return vertx.setPeriodic(config.keys().refreshInterval().toMillis(), id -> vertx.executeBlocking(() -> {
            keyRing.reload();
            return null;
        }, false).onFailure(e -> log.atWarn().setCause(e).log("signing key reload failed; keeping the current keys")));
    }

    /** Closes the roles, last opened first. */
    private static void closeAll(List<RunningRole> roles) {
        for (int i = roles.size() - 1; i >= 0; i--) {
            roles.get(i).close();
        }
    }

    public int port() {
        return http.port();
    }

    /** The port of the management server ({@code /metrics}, {@code /healthz}, {@code /readyz}). */
    public int managementPort() {
        return management.port();
    }

    /** The base URL this process answers on (loopback-resolvable when bound to a wildcard). */
    public URI localUrl() {
        return localUrl(port());
    }

    /** The base URL of the management server, as {@link #localUrl()}. */
    public URI managementUrl() {
        return localUrl(managementPort());
    }

    private URI localUrl(int port) {
        String host = config.http().host();
        String reachable = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        return URI.create("http://" + reachable + ":" + port);
    }

    public KeyRing keyRing() {
        return infrastructure.keyRing();
    }

    public Database database() {
        return infrastructure.database();
    }

    /** The group committer that records minted tokens (see {@link Infrastructure#committer()}). */
    public GroupCommitter committer() {
        return infrastructure.committer();
    }

    @Override
    public void close() {
        log.info("shutting down: draining in-flight requests");
        vertx.cancelTimer(keyReloadTimer);
        try {
            Future.all(http.shutdown(), management.shutdown()).await();
            patBackground.stop();
            closeAll(roles);
            vertx.close().await();
        } finally {
            infrastructure.close();
        }
        log.info("Gatehouse stopped");
    }
}
