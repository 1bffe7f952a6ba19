package dev.gatehouse.server.cli;

import dev.gatehouse.server.Infrastructure;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.units.Quantities;
import dev.gatehouse.server.identity.LocalSession;
import dev.gatehouse.server.tokens.MintRequest;
import dev.gatehouse.server.tokens.MintedToken;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "session", mixinStandardHelpOptions = true, description = "Local (development-only) user sessions.",
        subcommands = SessionCommand.Issue.class)
final class SessionCommand {

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = {"Print a session token for USER in ORG, signed by this Gatehouse's own key (local identity).",
                "Development only: refused when production is true or identity.local is false.",
                "The token goes to standard output, the warning to standard error."})
    static final class Issue implements Callable<Integer> {
        @Mixin
        ConfigOption configOption;

        @Spec
        CommandSpec spec;

        @Option(names = "--user", required = true, paramLabel = "USER", description = "The user (sub).")
        String user;

        @Option(names = "--org", required = true, paramLabel = "ORG", description = "The organization (org_id).")
        String organization;

        @Option(names = "--group", paramLabel = "GROUP", description = "A group; repeatable.")
        List<String> groups = new ArrayList<>();

        @Option(names = "--capability", paramLabel = "CAP", description = "A capability, e.g. llm:use; repeatable.")
        List<String> capabilities = new ArrayList<>();

        @Option(names = "--ttl", paramLabel = "DURATION",
                description = "Lifetime, e.g. 30m, 8h, 1d (default: 8h; at most tokens.maxTtl).")
        String ttlText;

        @Override
        public Integer call() {
            GatehouseConfig config = configOption.load();
            if (config.production() || !config.identity().local()) {
                throw new UserFacingException("gatehouse: session issue refused: local identity is for development only"
                        + " (it needs production: false and identity.local: true; use Keycloak sessions instead)",
                        GatehouseCli.EXIT_USAGE);
            }
            Duration ttl = ttlText == null ? LocalSession.DEFAULT_TTL : parseTtl(ttlText);
            MintRequest request;
            try {
                request = LocalSession.request(user, organization, groups, capabilities, ttl, config.tokens().issuer());
            } catch (IllegalArgumentException e) {
                throw new UserFacingException("gatehouse: " + e.getMessage(), GatehouseCli.EXIT_USAGE);
            }
            if (ttl.compareTo(config.tokens().maxTokenTtl()) > 0) {
                throw new UserFacingException("gatehouse: --ttl: " + ttl + " (expected: at most tokens.maxTtl "
                        + config.tokens().maxTokenTtl() + ")", GatehouseCli.EXIT_USAGE);
            }
            MintedToken token;
            try (Infrastructure infrastructure = OperatorContext.open(config)) {
                token = infrastructure.signingTokenMinter(Clock.systemUTC()).mint(request);
            }
            PrintWriter err = spec.commandLine().getErr();
            err.println("WARNING: DEVELOPMENT-ONLY LOCAL IDENTITY. This session for " + user + " in " + organization
                    + " was signed by Gatehouse itself, not by Keycloak; nothing proved who you are.");
            err.println("WARNING: never use local identity in production (production: true refuses it).");
            err.println("session jti " + token.tokenId() + ", expires " + token.expiresAt());
            err.flush();
            PrintWriter out = spec.commandLine().getOut();
            out.println(token.token());
            out.flush();
            return GatehouseCli.EXIT_OK;
        }
    }

    /** What {@link Quantities#parseTtl} reads: {@code 30m}, {@code 8h}, {@code 1d}, ISO-8601, seconds; positive. */
    static Duration parseTtl(String value) {
        try {
            return Quantities.parseTtl(value);
        } catch (IllegalArgumentException e) {
            throw new UserFacingException("gatehouse: --ttl: '" + value.replaceAll("\\p{Cntrl}", "?")
                    + "' (expected: a positive duration such as 30m, 8h or 1d)", GatehouseCli.EXIT_USAGE);
        }
    }
}
