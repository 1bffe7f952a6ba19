package dev.gatehouse.server.cli;

import dev.gatehouse.server.Infrastructure;
import dev.gatehouse.server.config.GatehouseConfig;
import java.time.Clock;

/** Opens the store and keys for a one-shot operator command, turning failures into one clear line. */
final class OperatorContext {
    private OperatorContext() {}

    static Infrastructure open(ConfigOption configOption) {
        return open(configOption.load());
    }

    static Infrastructure open(GatehouseConfig config) {
        try {
            return Infrastructure.open(config, Clock.systemUTC());
        } catch (RuntimeException e) {
            throw new UserFacingException("gatehouse: " + Failures.describe(e), GatehouseCli.EXIT_FAILED);
        }
    }
}
