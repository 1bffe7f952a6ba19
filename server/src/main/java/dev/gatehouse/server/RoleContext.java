package dev.gatehouse.server;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.config.GatehouseConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * What every role of one process stands on: the configuration, the store and keys, Vert.x, the
 * metrics registry, the admin API's authentication (shared, so every admin route shares one set of
 * Keycloak key caches) and the clock; {@code configSource} reads the configuration anew (for reloads;
 * throws {@link dev.gatehouse.server.config.ConfigException} listing its problems).
 */
record RoleContext(GatehouseConfig config, Supplier<GatehouseConfig> configSource, Infrastructure infrastructure,
        Vertx vertx, MeterRegistry metrics, AdminAuth admin, Clock clock) {

    RoleContext {
        requireNonNull(config, "config");
        requireNonNull(configSource, "configSource");
        requireNonNull(infrastructure, "infrastructure");
        requireNonNull(vertx, "vertx");
        requireNonNull(metrics, "metrics");
        requireNonNull(admin, "admin");
        requireNonNull(clock, "clock");
    }
}
