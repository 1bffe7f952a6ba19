package dev.gatehouse.server;

import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.http.EventLoopClients;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.sandbox.SandboxActivity;
import dev.gatehouse.server.sandbox.SandboxBackend;
import dev.gatehouse.server.sandbox.SandboxConfig;
import dev.gatehouse.server.sandbox.SandboxController;
import dev.gatehouse.server.sandbox.SandboxProfileRoutes;
import dev.gatehouse.server.sandbox.SandboxProxyRoutes;
import dev.gatehouse.server.sandbox.SandboxRoutes;
import dev.gatehouse.server.schedule.PeriodicTasks;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.http.HttpClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code sandbox} role: the sandbox API, the proxy in front of sandboxes and the controller's
 * periodic work (reaping, token rotation, orphan collection), over the configured backend. It mints
 * sandbox tokens on the same path as the bridge (the store and signing keys every role shares), so
 * {@code --roles sandbox} alone works against a gateway elsewhere ({@code sandbox.gatewayUrl}).
 */
final class SandboxRole implements RunningRole {
    private static final Logger log = LoggerFactory.getLogger(SandboxRole.class);
    /** How often proxied activity is written to the store: far below any sensible idle timeout. */
    static final Duration ACTIVITY_FLUSH = Duration.ofSeconds(5);
    /** Connections to sandboxes' runtimes, all sandboxes together, split over the event loops. */
    static final int PROXY_CONNECTIONS = 1024;
    /** Requests that may wait for one of them. */
    static final int PROXY_WAITING = 1024;

    private final SandboxController controller;
    private final PeriodicTasks tasks;
    private final EventLoopClients proxyClients;
    private final List<Routes> routes;

    private SandboxRole(SandboxController controller, PeriodicTasks tasks, EventLoopClients proxyClients,
            List<Routes> routes) {
        this.controller = controller;
        this.tasks = tasks;
        this.proxyClients = proxyClients;
        this.routes = routes;
    }

    /** @param backendFactory the backend ({@link SandboxWiring#backend} in production) */
    static SandboxRole open(RoleContext context, Function<GatehouseConfig, SandboxBackend> backendFactory) {
        Clock clock = context.clock();
        GatehouseConfig config = context.config();
        SandboxConfig sandbox = config.sandbox();
        Infrastructure infrastructure = context.infrastructure();
        JdbcAuditLog audit = new JdbcAuditLog(infrastructure.database());
        SandboxController controller = SandboxController.open(sandbox, config.gateway().channels(),
                infrastructure.database(), audit, backendFactory.apply(config),
                SandboxWiring.credentials(infrastructure.sandboxTokens(audit, clock, sandbox.tokenLifetime())),
                SandboxWiring.subscriptions(config, infrastructure), clock);
        Gauge.builder("gatehouse.sandbox.proxy.open", controller.activity(), SandboxActivity::openConnections)
                .description("Requests and connections (WebSocket, event streams) open through the sandbox proxy")
                .register(context.metrics());
        PeriodicTasks tasks = new PeriodicTasks(context.vertx());
        tasks.every(sandbox.reapInterval(), controller.lifecycle()::reap, "sandbox reaping failed; retrying at the next pass");
        tasks.nowAndEvery(sandbox.gcInterval(), controller.lifecycle()::collectOrphans,
                "sandbox orphan collection failed; retrying at the next pass");
        tasks.every(ACTIVITY_FLUSH, controller.activity()::flush, "writing sandbox activity failed; keeping it for the next flush");
        EventLoopClients proxyClients = new EventLoopClients(context.vertx(), new HttpClientOptions()
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setConnectTimeout(5_000), PROXY_CONNECTIONS, PROXY_WAITING, config.http().eventLoopCount());
        return new SandboxRole(controller, tasks, proxyClients, List.of(
                new SandboxRoutes(infrastructure.callerVerifier(), controller.sandboxes(), sandbox),
                new SandboxProfileRoutes(infrastructure.callerVerifier(), sandbox),
                new SandboxProxyRoutes(infrastructure.callerVerifier(), controller.directory(), controller.activity(),
                        proxyClients)));
    }

    @Override
    public List<Routes> routes() {
        return routes;
    }

    @Override
    public void close() {
        try {
            tasks.cancel();
            controller.close();
            proxyClients.close().await();
        } catch (RuntimeException e) {
            log.atError().setCause(e).log("closing the sandbox role failed");
        }
    }
}
