package dev.gatehouse.server.cli;

import dev.gatehouse.server.Infrastructure;
import dev.gatehouse.server.SandboxWiring;
import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.sandbox.Sandbox;
import dev.gatehouse.server.sandbox.SandboxController;
import dev.gatehouse.server.sandbox.SandboxLifecycle.CollectionReport;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "sandbox", mixinStandardHelpOptions = true,
        description = "Operate sandboxes beside the running servers: list, delete, collect orphans.",
        subcommands = {SandboxCommand.ListSandboxes.class, SandboxCommand.Delete.class, SandboxCommand.Gc.class})
final class SandboxCommand {
    /** Who acts in the audit log when an operator runs these commands. */
    static final Actor OPERATOR = new Actor("operator", "urn:gatehouse:cli");

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List sandboxes, newest first: live and recently ended ones (--all: deleted ones too).")
    static final class ListSandboxes implements Callable<Integer> {
        @Mixin
        ConfigOption configOption;

        @Spec
        CommandSpec spec;

        @Option(names = "--org", paramLabel = "ORG", description = "Only this organization's.")
        String organization;

        @Option(names = "--all", description = "Include deleted sandboxes.")
        boolean all;

        @Override
        public Integer call() {
            List<Sandbox> sandboxes = withController(configOption, controller -> controller.sandboxes().listAll())
                    .stream()
                    .filter(sandbox -> all || !sandbox.deleted())
                    .filter(sandbox -> organization == null || sandbox.organization().equals(organization))
                    .toList();
            print(spec.commandLine().getOut(), sandboxes);
            return GatehouseCli.EXIT_OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Delete a sandbox, whoever owns it: its tokens are revoked at once, its runtime removed,",
                "and its owner sees it no more. Exit 1 when there is no such sandbox."})
    static final class Delete implements Callable<Integer> {
        @Mixin
        ConfigOption configOption;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "The sandbox id.")
        String id;

        @Override
        public Integer call() {
            if (!withController(configOption, controller -> controller.sandboxes().deleteAny(id, OPERATOR))) {
                throw new UserFacingException("gatehouse: no sandbox " + id.replaceAll("\\p{Cntrl}", "?")
                        + " (or it is deleted already)", GatehouseCli.EXIT_FAILED);
            }
            spec.commandLine().getOut().println("Deleted sandbox " + id + ": its tokens are revoked and its runtime removed.");
            return GatehouseCli.EXIT_OK;
        }
    }

    @Command(name = "gc", mixinStandardHelpOptions = true,
            description = {"Collect orphans now, as every server does each sandbox.gcInterval: remove backend objects",
                "without a live record (revoking their tokens), fail running records whose runtime is gone, finish",
                "stops left half-done, forget sandboxes ended more than 7 days ago."})
    static final class Gc implements Callable<Integer> {
        @Mixin
        ConfigOption configOption;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            CollectionReport report = withController(configOption, controller -> controller.lifecycle().collectOrphans());
            spec.commandLine().getOut().printf("orphans removed: %d, records failed (runtime gone): %d,"
                    + " stops finished: %d, ended sandboxes forgotten: %d%n", report.orphansRemoved(),
                    report.recordsFailed(), report.stopsFinished(), report.forgotten());
            return GatehouseCli.EXIT_OK;
        }
    }

    static void print(PrintWriter out, List<Sandbox> sandboxes) {
        String format = "%-36s %-8s %-16s %-20s %-10s %-20s %s%n";
        out.printf(format, "ID", "STATUS", "ORGANIZATION", "OWNER", "PROFILE", "CREATED", "REASON");
        for (Sandbox sandbox : sandboxes) {
            String status = sandbox.deleted() ? sandbox.status().value() + "*" : sandbox.status().value();
            out.printf(format, sandbox.id(), status, cut(sandbox.organization(), 16), cut(sandbox.ownerSubject(), 20),
                    cut(sandbox.profile(), 10), time(sandbox.createdAt()), sandbox.reason().orElse("-"));
        }
        if (sandboxes.stream().anyMatch(Sandbox::deleted)) {
            out.println("* deleted");
        }
    }

    private static String cut(String value, int width) {
        String clean = value.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= width ? clean : clean.substring(0, width - 1) + "…";
    }

    private static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Runs {@code work} on a controller beside the running servers ({@link SandboxWiring#operatorController}). */
    private static <T> T withController(ConfigOption configOption, Function<SandboxController, T> work) {
        GatehouseConfig config = configOption.load();
        try (Infrastructure infrastructure = OperatorContext.open(config);
                SandboxController controller = SandboxWiring.operatorController(config, infrastructure)) {
            return work.apply(controller);
        }
    }
}
