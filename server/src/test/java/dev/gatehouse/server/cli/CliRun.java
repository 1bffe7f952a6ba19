package dev.gatehouse.server.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * One run of the {@code gatehouse} command line, in this JVM: its exit code and what it printed.
 *
 * @param exitCode what the process would exit with
 * @param out standard output
 * @param err standard error
 */
public record CliRun(int exitCode, String out, String err) {

    /** Runs {@code gatehouse args...} through the real command line. */
    public static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = GatehouseCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exitCode = cli.execute(args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }
}
