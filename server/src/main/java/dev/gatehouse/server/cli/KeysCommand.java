package dev.gatehouse.server.cli;

import dev.gatehouse.server.Infrastructure;
import dev.gatehouse.server.tokens.KeyInfo;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "keys", mixinStandardHelpOptions = true, description = "Inspect and rotate the signing keys.",
        subcommands = {KeysCommand.ListKeys.class, KeysCommand.Rotate.class})
final class KeysCommand {

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the signing keys: state (active, retired, expired) and until when each verifies.")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        ConfigOption configOption;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (Infrastructure infrastructure = OperatorContext.open(configOption)) {
                print(spec.commandLine().getOut(), infrastructure.keyRing().list());
            }
            return GatehouseCli.EXIT_OK;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"Add a new active signing key. The previous key is retired: it signs nothing more but keeps",
                "verifying until every token it signed has expired (tokens.maxTtl + tokens.clockSkew).",
                "Running servers pick the new key up within keys.refreshInterval."})
    static final class Rotate implements Callable<Integer> {
        @Mixin
        ConfigOption configOption;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (Infrastructure infrastructure = OperatorContext.open(configOption)) {
                KeyInfo created = infrastructure.keyRing().rotate();
                PrintWriter out = spec.commandLine().getOut();
                out.println("New signing key " + created.kid() + " (" + created.algorithm() + ") is published now and signs from "
                        + time(created.signsFrom()) + ", once every replica has reloaded it.");
                print(out, infrastructure.keyRing().list());
            }
            return GatehouseCli.EXIT_OK;
        }
    }

    static void print(PrintWriter out, List<KeyInfo> keys) {
        String format = "%-18s %-6s %-8s %-21s %-21s %-21s %s%n";
        out.printf(format, "KID", "ALG", "STATE", "CREATED", "SIGNS FROM", "RETIRED", "VERIFIES UNTIL");
        for (KeyInfo key : keys) {
            out.printf(format, key.kid(), key.algorithm(), key.state().name().toLowerCase(Locale.ROOT),
                    time(Optional.of(key.createdAt())), time(Optional.of(key.signsFrom())), time(key.retiredAt()),
                    key.verifiesUntil().map(KeysCommand::time).orElse("while it is the newest key"));
        }
    }

    private static String time(Optional<Instant> instant) {
        return instant.map(KeysCommand::time).orElse("-");
    }

    private static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
