package dev.gatehouse.server;

import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.config.ConfigException;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.gateway.GatewayConfig;
import dev.gatehouse.server.gateway.api.ChannelRoutes;
import dev.gatehouse.server.gateway.api.ChannelStatusRoutes;
import dev.gatehouse.server.gateway.devecho.DevEcho;
import dev.gatehouse.server.gateway.devecho.DevEchoRoutes;
import dev.gatehouse.server.gateway.api.GatewayCredentials;
import dev.gatehouse.server.gateway.api.GatewayParts;
import dev.gatehouse.server.gateway.api.GatewayRoutes;
import dev.gatehouse.server.gateway.channels.ChannelReloader;
import dev.gatehouse.server.gateway.channels.Channels;
import dev.gatehouse.server.gateway.channels.ChannelsRefusedException;
import dev.gatehouse.server.gateway.metering.JdbcUsageReports;
import dev.gatehouse.server.gateway.metering.JdbcUsageRecords;
import dev.gatehouse.server.gateway.metering.MemberUsageRoutes;
import dev.gatehouse.server.gateway.metering.UsageRecordsRoutes;
import dev.gatehouse.server.gateway.metering.UsageRoutes;
import dev.gatehouse.server.gateway.metrics.ChannelMetrics;
import dev.gatehouse.server.gateway.metrics.ChannelTrafficReader;
import dev.gatehouse.server.gateway.relay.Pipeline;
import dev.gatehouse.server.gateway.relay.Relay;
import dev.gatehouse.server.http.Routes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code gateway} role: the OpenAI-compatible API, the usage reports (the admin's and a member's
 * own, {@code /api/v1/usage}). It opens the channels
 * (reading their API keys, so a missing key fails the start naming the channel) and the metering
 * and limit parts (the usage writer), and closes them after the server has drained. Its verifier
 * accepts any audience (sandbox tokens carry none); {@link GatewayCredentials} then admits sandbox
 * tokens, PATs for the gateway and, if configured, sessions.
 */
final class GatewayRole implements RunningRole {
    private static final Logger log = LoggerFactory.getLogger(GatewayRole.class);

    private final Channels channels;
    private final GatewayParts parts;
    private final List<Routes> routes;

    private GatewayRole(Channels channels, GatewayParts parts, List<Routes> routes) {
        this.channels = channels;
        this.parts = parts;
        this.routes = routes;
    }

    /** @param partsFactory the metering and limit parts ({@link GatewayParts#metered} in production) */
    static GatewayRole open(RoleContext context, Function<RoleContext, GatewayParts> partsFactory) {
        GatehouseConfig config = context.config();
        GatewayConfig gateway = config.gateway();
        Channels channels = Channels.open(context.vertx(), gateway, config.http().eventLoopCount(), System::getenv,
                context.clock());
        GatewayParts parts = null;
        try {
            parts = partsFactory.apply(context);
            ChannelMetrics metrics = ChannelMetrics.register(context.metrics(), channels.all());
            Relay relay = new Relay(gateway, parts.usageExtraction(), parts.usageSink(), metrics,
                    context.clock());
            Infrastructure infrastructure = context.infrastructure();
            JdbcUsageReports reports = new JdbcUsageReports(infrastructure.database());
            Optional<String> currency = config.gatewayBudgets().currency();
            ChannelReloader reloader = new ChannelReloader(channels, () -> gatewayConfig(context),
                    config.http().shutdownTimeout());
            List<Routes> routes = new ArrayList<>(List.of(
                    new GatewayRoutes(new GatewayCredentials(infrastructure.gatewayTokenVerifier(), gateway.acceptSessions()),
                            channels, new Pipeline(context.vertx(), channels, parts.limiter(), relay),
                            gateway.maxRequestBytes()),
                    new UsageRoutes(context.admin(), reports, currency),
                    new MemberUsageRoutes(infrastructure.callerVerifier(), reports, currency, context.clock()),
                    new UsageRecordsRoutes(context.admin(), new JdbcUsageRecords(infrastructure.database())),
                    new ChannelRoutes(context.admin(), channels, reloader, metrics,
                            new JdbcAuditLog(infrastructure.database()), context.clock()),
                    new ChannelStatusRoutes(context.admin(), channels, new ChannelTrafficReader(context.metrics()),
                            context.clock())));
            if (DevEcho.inUse(gateway.channels())) {
                log.warn("DEVELOPMENT: gateway.channels is empty, so the gateway uses channel {} (model {}), Gatehouse's own"
                        + " upstream that repeats the prompt; configure gateway.channels for real models", DevEcho.NAME,
                        DevEcho.MODEL);
                routes.add(new DevEchoRoutes());
            }
            return new GatewayRole(channels, parts, List.copyOf(routes));
        } catch (RuntimeException e) {
            channels.close();
            closeQuietly(parts);
            throw e;
        }
    }

    /** The gateway configuration as the file now has it. */
    private static GatewayConfig gatewayConfig(RoleContext context) {
        try {
            return context.configSource().get().gateway();
        } catch (ConfigException e) {
            throw new ChannelsRefusedException(e.getMessage());
        }
    }

    @Override
    public List<Routes> routes() {
        return routes;
    }

    @Override
    public void close() {
        channels.close();
        closeQuietly(parts);
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
}
