package dev.gatehouse.server;

import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.byos.ByosConfig;
import dev.gatehouse.server.byos.ByosConnections;
import dev.gatehouse.server.byos.ByosRoutes;
import dev.gatehouse.server.byos.ProviderClients;
import dev.gatehouse.server.byos.SubscriptionRefresher;
import dev.gatehouse.server.byos.Subscriptions;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.schedule.PeriodicTasks;
import java.util.List;

/**
 * The {@code byos} role: the subscription API (connecting, showing and disconnecting users' own
 * subscriptions) and the refresh of their access tokens. The providers' client secrets are read when
 * it opens: a missing one fails the start.
 */
final class ByosRole implements RunningRole {
    private final PeriodicTasks tasks;
    private final List<Routes> routes;

    private ByosRole(PeriodicTasks tasks, List<Routes> routes) {
        this.tasks = tasks;
        this.routes = routes;
    }

    static ByosRole open(RoleContext context) {
        ByosConfig config = context.config().byos();
        Infrastructure infrastructure = context.infrastructure();
        ProviderClients clients = ProviderClients.open(config, System::getenv, context.clock());
        ByosConnections connections = new ByosConnections(infrastructure.database(), infrastructure.secretVault());
        JdbcAuditLog audit = new JdbcAuditLog(infrastructure.database());
        Subscriptions subscriptions = new Subscriptions(config, clients, connections, infrastructure.database(), audit,
                context.clock());
        SubscriptionRefresher refresher = new SubscriptionRefresher(config, clients, connections,
                infrastructure.database(), audit, context.clock());
        PeriodicTasks tasks = new PeriodicTasks(context.vertx());
        tasks.nowAndEvery(config.refreshInterval(), refresher::refreshDue,
                "refreshing subscriptions failed; retrying at the next pass");
        return new ByosRole(tasks, List.of(new ByosRoutes(infrastructure.callerVerifier(), subscriptions, config)));
    }

    @Override
    public List<Routes> routes() {
        return routes;
    }

    @Override
    public void close() {
        tasks.cancel();
    }
}
