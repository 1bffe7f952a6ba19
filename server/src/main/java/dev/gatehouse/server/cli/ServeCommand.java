package dev.gatehouse.server.cli;

import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.config.Role;
import dev.gatehouse.server.config.ConfigLoader;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.logging.LoggingSetup;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the Gatehouse server (every role unless --roles says otherwise) until SIGTERM/SIGINT.")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ConfigOption configOption;

    @Option(names = "--roles", split = ",", paramLabel = "ROLE",
            description = "Roles to run, comma-separated: auth, gateway, sandbox, byos (default: the configured roles).")
    List<String> roles;

    @Override
    public Integer call() throws InterruptedException {
        GatehouseConfig config = withRoles(configOption.load());
        LoggingSetup.apply(config.logging());
        Gatehouse gatehouse;
        try {
            Path file = configOption.resolve();
            gatehouse = Gatehouse.builder(config).configSource(() -> ConfigLoader.load(file, System.getenv())).start();
        } catch (RuntimeException e) {
            LoggingSetup.stop(); // the lines explaining the failure are still queued
            throw new UserFacingException("gatehouse: cannot start: " + Failures.describe(e), GatehouseCli.EXIT_FAILED);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                gatehouse.close();
            } finally {
                LoggingSetup.stop();
                stopped.countDown();
            }
        }, "gatehouse-shutdown"));
        stopped.await();
        return GatehouseCli.EXIT_OK;
    }

    private GatehouseConfig withRoles(GatehouseConfig config) {
        if (roles == null || roles.isEmpty()) {
            return config;
        }
        Set<Role> selected = EnumSet.noneOf(Role.class);
        for (String name : roles) {
            selected.add(Role.fromConfigName(name.strip()).orElseThrow(() -> new UserFacingException(
                    "gatehouse: --roles: " + name + " (expected: auth, gateway, sandbox or byos)",
                    GatehouseCli.EXIT_USAGE)));
        }
        return config.withRoles(selected);
    }
}
