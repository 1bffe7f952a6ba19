package dev.gatehouse.server.cli;

import dev.gatehouse.server.Infrastructure;
import java.time.Clock;

/** Opens the store and keys for a one-shot operator command, turning failures into one clear line. */
final class OperatorContext {
    private OperatorContext() {}

    static Infrastructure open(ConfigOption configOption) {
        var config = configOption.load();
        try {
            return Infrastructure.open(config, Clock.systemUTC());
        } catch (RuntimeException e) {
            throw new UserFacingException("gatehouse: " + Failures.describe(e), GatehouseCli.EXIT_FAILED);
        }
    }
}
