package dev.gatehouse.server.cli;

import dev.gatehouse.server.keycloak.KeycloakCommand;
import dev.gatehouse.server.logging.LoggingSetup;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gatehouse} command. Exit codes: 0 success, 1 the thing checked is invalid (token)
 * or the operation failed, 2 bad usage or invalid configuration.
 */
@Command(
        name = "gatehouse",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Narrow, revocable credentials and an OpenAI-compatible LLM gateway for AI-agent sandboxes.",
        subcommands = {ServeCommand.class, ConfigCommand.class, KeysCommand.class, TokenCommand.class,
                SessionCommand.class, KeycloakCommand.class, SandboxCommand.class})
public final class GatehouseCli {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    public static void main(String[] args) {
        if (args.length > 0 && !args[0].equals("serve")) {
            LoggingSetup.warningsOnly();
        }
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests run commands through it without exiting the JVM. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new GatehouseCli());
        cli.setExitCodeExceptionMapper(e -> e instanceof UserFacingException u ? u.exitCode()
                : e instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_FAILED);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof UserFacingException u) {
                commandLine.getErr().println(u.getMessage());
                return u.exitCode();
            }
            commandLine.getErr().println("gatehouse: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return EXIT_FAILED;
        });
        return cli;
    }
}
