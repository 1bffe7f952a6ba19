package dev.gatehouse.server;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.audit.AuditRoutes;
import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.http.BearerAuth;
import dev.gatehouse.server.http.GatehouseHttpServer;
import dev.gatehouse.server.http.HealthRoutes;
import dev.gatehouse.server.http.ReadinessCheck;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.identity.SessionRoutes;
import dev.gatehouse.server.oauth.OAuthRoutes;
import dev.gatehouse.server.pat.AdminPatRoutes;
import dev.gatehouse.server.pat.PatBackground;
import dev.gatehouse.server.pat.PatRoutes;
import dev.gatehouse.server.pat.PersonalAccessTokens;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.tokens.DiscoveryRoutes;
import dev.gatehouse.server.tokens.KeyRing;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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

    private Gatehouse(GatehouseConfig config, Infrastructure infrastructure, Vertx vertx, GatehouseHttpServer http,
            long keyReloadTimer, PatBackground patBackground) {
        this.config = config;
        this.infrastructure = infrastructure;
        this.vertx = vertx;
        this.http = http;
        this.keyReloadTimer = keyReloadTimer;
        this.patBackground = patBackground;
    }

    /**
     * Opens the store and keys, then starts listening. Fails (and releases everything) if any step
     * fails. The store is opened on its own thread while Vert.x starts: the two are independent and
     * together make up most of the start-up time.
     */
    public static Gatehouse start(GatehouseConfig config) {
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
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(
                        new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(metrics))
                .build();
        Infrastructure infrastructure;
        try {
            infrastructure = awaitOpened(opening);
        } catch (RuntimeException e) {
            vertx.close().await();
            throw e;
        }
        try {
            GatehouseHttpServer http = new GatehouseHttpServer(vertx, config.http(), metrics,
                    routes(config, infrastructure, vertx));
            int port = http.start().await();
            long timer = scheduleKeyReload(vertx, config, infrastructure.keyRing());
            PatBackground patBackground = PatBackground.start(vertx, config.pat(), infrastructure.revokedTokens(),
                    infrastructure.lastUsed());
            log.atInfo()
                    .addKeyValue("port", port)
                    .addKeyValue("roles", config.roles())
                    .addKeyValue("issuer", config.tokens().issuer())
                    .log("Gatehouse is listening on http://" + config.http().host() + ":" + port);
            return new Gatehouse(config, infrastructure, vertx, http, timer, patBackground);
        } catch (RuntimeException e) {
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

    private static List<Routes> routes(GatehouseConfig config, Infrastructure infrastructure, Vertx vertx) {
        Database database = infrastructure.database();
        KeyRing keyRing = infrastructure.keyRing();
        List<Routes> routes = new ArrayList<>();
        routes.add(new HealthRoutes(vertx, List.of(
                ReadinessCheck.of("store", database::isReachable),
                ReadinessCheck.of("signing-keys", keyRing::isReady),
                ReadinessCheck.of("revocations", () -> infrastructure.revokedTokens()
                        .isFresherThan(config.pat().revocationPollInterval().multipliedBy(5)))))::register);
        routes.add(new DiscoveryRoutes(keyRing, config.tokens(), infrastructure.signingAlgorithms()));
        if (config.roles().contains(Role.AUTH)) {
            TokenVerifier callers = infrastructure.callerVerifier();
            routes.add(new SessionRoutes(new BearerAuth(callers, EnumSet.allOf(TokenType.class))));
            Clock clock = Clock.systemUTC();
            JdbcAuditLog audit = new JdbcAuditLog(database);
            AdminAuth admin = new AdminAuth(config.admin());
            PersonalAccessTokens pats = new PersonalAccessTokens(database,
                    SigningTokenMinter.of(keyRing, config.tokens(), clock), audit, infrastructure.revokedTokens(),
                    infrastructure.lastUsed(), config.pat().maxActivePerUser(), clock);
            routes.add(new PatRoutes(callers, pats, config.pat(), config.http().maxBodyBytes(), clock));
            routes.add(new OAuthRoutes(callers, infrastructure.tokenVerifier(Optional.empty()), admin, pats));
            routes.add(new AuditRoutes(admin, audit));
            routes.add(new AdminPatRoutes(admin, pats));
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
            vertx.close().await();
        } finally {
            infrastructure.close();
        }
        log.info("Gatehouse stopped");
    }
}
