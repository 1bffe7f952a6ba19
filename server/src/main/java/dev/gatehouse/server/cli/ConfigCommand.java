package dev.gatehouse.server.cli;

import dev.gatehouse.server.config.ConfigLoader;
import dev.gatehouse.server.config.GatehouseConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "config", description = "Work with configuration files.", subcommands = ConfigCommand.Check.class,
        mixinStandardHelpOptions = true)
final class ConfigCommand {

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate FILE (plus environment overrides) without starting; report every problem at once.")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The YAML configuration file to check.")
        Path file;

        @Override
        public Integer call() {
            GatehouseConfig config = ConfigOption.loadFrom(file, true);
            var out = spec.commandLine().getOut();
            ConfigLoader.describe(config).forEach(out::println);
            spec.commandLine().getErr().println("configuration OK: " + file);
            return GatehouseCli.EXIT_OK;
        }
    }
}
