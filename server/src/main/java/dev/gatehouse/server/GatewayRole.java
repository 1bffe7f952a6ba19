package dev.gatehouse.server;

import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.gateway.GatewayConfig;
import dev.gatehouse.server.gateway.GatewayCredentials;
import dev.gatehouse.server.gateway.GatewayParts;
import dev.gatehouse.server.gateway.GatewayRoutes;
import dev.gatehouse.server.gateway.channels.Channels;
import dev.gatehouse.server.gateway.metering.JdbcUsageReports;
import dev.gatehouse.server.gateway.metering.UsageRoutes;
import dev.gatehouse.server.gateway.metrics.ChannelMetrics;
import dev.gatehouse.server.gateway.relay.Pipeline;
import dev.gatehouse.server.gateway.relay.Relay;
import dev.gatehouse.server.http.Routes;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;

/**
 * The routes of the {@code gateway} role: the OpenAI-compatible API and the usage reports. Its
 * verifier accepts any audience (sandbox tokens carry none); {@link GatewayCredentials} then admits
 * sandbox tokens, PATs for the gateway and, if configured, sessions.
 */
final class GatewayRole {
    private GatewayRole() {}

    static List<Routes> routes(GatehouseConfig config, Infrastructure infrastructure, Vertx vertx, GatewayParts parts,
            MeterRegistry metrics, Channels channels, AdminAuth admin) {
        GatewayConfig gateway = config.gateway();
        Relay relay = new Relay(vertx, gateway, parts.usageExtraction(), parts.usageSink(),
                ChannelMetrics.register(metrics, channels.all()), Clock.systemUTC());
        return List.of(
                new GatewayRoutes(new GatewayCredentials(infrastructure.gatewayTokenVerifier(), gateway.acceptSessions()),
                        channels, new Pipeline(vertx, channels, parts.limiter(), relay), gateway.maxRequestBytes()),
                new UsageRoutes(admin, new JdbcUsageReports(infrastructure.database())));
    }
}
