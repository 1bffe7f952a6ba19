package dev.gatehouse.server.cli;

import dev.gatehouse.server.Infrastructure;
import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.tokens.KeyInfo;
import dev.gatehouse.server.tokens.KeyWithdrawalRefusedException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "keys", mixinStandardHelpOptions = true, description = "Inspect, rotate and revoke the signing keys.",
        subcommands = {KeysCommand.ListKeys.class, KeysCommand.Rotate.class, KeysCommand.Revoke.class})
final class KeysCommand {
    /** Whoever runs the command line, as the operating system names them; for the audit log. */
    private static final Actor OPERATOR = new Actor(System.getProperty("user.name", "unknown"), "urn:gatehouse:cli");

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the signing keys: state (pending, active, retired, expired, revoked) and until when each verifies.")
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

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Withdraw a signing key: it leaves the JWKS and every token it signed is refused, by every",
                "running server within pat.revocationPollInterval. The newest key cannot be revoked: rotate first."})
    static final class Revoke implements Callable<Integer> {
        @Mixin
        ConfigOption configOption;

        @Parameters(index = "0", paramLabel = "KID", description = "The key id, as keys list shows it.")
        String kid;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (Infrastructure infrastructure = OperatorContext.open(configOption)) {
                KeyInfo revoked;
                try {
                    revoked = infrastructure.keyWithdrawal(new JdbcAuditLog(infrastructure.database()), Clock.systemUTC())
                            .withdraw(kid, OPERATOR, RequestOrigin.NONE);
                } catch (KeyWithdrawalRefusedException e) {
                    throw new UserFacingException("gatehouse: " + e.getMessage(), GatehouseCli.EXIT_FAILED);
                }
                PrintWriter out = spec.commandLine().getOut();
                out.println("Signing key " + revoked.kid() + " is revoked: it is no longer published, and every token it"
                        + " signed is refused by every running server within pat.revocationPollInterval.");
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
                    verifiesUntil(key));
        }
    }

    private static String verifiesUntil(KeyInfo key) {
        if (key.revokedAt().isPresent()) {
            return "never: revoked " + time(key.revokedAt().get());
        }
        return key.verifiesUntil().map(KeysCommand::time).orElse("while it is the newest key");
    }

    private static String time(Optional<Instant> instant) {
        return instant.map(KeysCommand::time).orElse("-");
    }

    private static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
