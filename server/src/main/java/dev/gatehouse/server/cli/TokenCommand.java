package dev.gatehouse.server.cli;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.verify.TokenRejectedException;
import dev.gatehouse.server.Infrastructure;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "token", mixinStandardHelpOptions = true, description = "Work with Gatehouse tokens.",
        subcommands = TokenCommand.Inspect.class)
final class TokenCommand {

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = {"Decode TOKEN, verify it against this Gatehouse's keys and say exactly why it is invalid.",
                "Exit 0 when valid, 1 when invalid, 2 on bad usage. The token itself is never printed."})
    static final class Inspect implements Callable<Integer> {
        /** Bigger than any token the verifier accepts, so an oversized token is reported as such. */
        private static final int MAX_STDIN_BYTES = 1 << 20;

        @Mixin
        ConfigOption configOption;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "TOKEN", description = "The token, or '-' to read it from standard input.")
        String token;

        @Option(names = "--audience", paramLabel = "AUD",
                description = "Also require this audience (default: any audience).")
        String audience;

        @Override
        public Integer call() throws IOException {
            String presented = "-".equals(token) ? readStdin() : token.strip();
            PrintWriter out = spec.commandLine().getOut();
            printDecoded(out, presented);
            try (Infrastructure infrastructure = OperatorContext.open(configOption)) {
                Claims claims = infrastructure.tokenVerifier(Optional.ofNullable(audience)).verify(presented);
                out.println("valid: " + claims.type().claimValue() + " token for " + claims.subject()
                        + claims.organization().map(org -> " (organization " + org + ")").orElse("")
                        + ", expires " + claims.expiresAt());
                return GatehouseCli.EXIT_OK;
            } catch (TokenRejectedException e) {
                out.println("invalid: " + e.reason().code() + ": " + e.getMessage());
                return GatehouseCli.EXIT_FAILED;
            }
        }

        /** Header and payload as JSON when they decode; signatures are not shown. */
        private static void printDecoded(PrintWriter out, String presented) {
            String[] parts = presented.split("\\.", -1);
            if (parts.length != 3 || presented.length() > MAX_STDIN_BYTES) {
                return;
            }
            printPart(out, "header", parts[0]);
            printPart(out, "claims", parts[1]);
        }

        /** Re-serialized rather than echoed, so a crafted token cannot write control characters to a terminal. */
        private static void printPart(PrintWriter out, String label, String part) {
            try {
                out.println(label + ": " + JSONObjectUtils.toJSONString(
                        JSONObjectUtils.parse(new Base64URL(part).decodeToString())));
            } catch (ParseException e) {
                // Not JSON: the verdict below says why the token is malformed.
            }
        }

        private static String readStdin() throws IOException {
            InputStream in = System.in;
            byte[] bytes = in.readNBytes(MAX_STDIN_BYTES);
            return new String(bytes, StandardCharsets.UTF_8).strip();
        }
    }
}
