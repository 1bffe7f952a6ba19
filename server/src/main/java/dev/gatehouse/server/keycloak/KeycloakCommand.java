package dev.gatehouse.server.keycloak;

import dev.gatehouse.server.identity.Topology;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gatehouse keycloak}: helpers for the Keycloak that Gatehouse trusts. */
@Command(name = "keycloak", mixinStandardHelpOptions = true,
        description = "Set up the Keycloak realms Gatehouse trusts (see docs/keycloak.md).",
        subcommands = KeycloakCommand.Realm.class)
public final class KeycloakCommand {

    /** {@code gatehouse keycloak realm}: prints a realm rendered from a template. Exit 2 on bad input. */
    @Command(name = "realm", mixinStandardHelpOptions = true,
            description = {"Render the realm template of a topology for one organization, or the FAPI 2.0",
                "open-banking realm (--profile fapi), ready for 'kc.sh import --file FILE' or the",
                "admin console's realm import.",
                "Exit 0 on success, 1 when the output cannot be written, 2 on bad usage."})
    static final class Realm implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--profile", paramLabel = "PROFILE",
                description = "fapi: the FAPI 2.0 open-banking realm '" + FapiRealm.REALM + "' (no other option "
                        + "needed or allowed). Without it: a Gatehouse realm of --topology for --org.")
        String profile;

        @Option(names = "--topology", paramLabel = "TOPOLOGY",
                description = "shared-sovereign (one Keycloak, one realm per organization) or "
                        + "per-organization (one Keycloak per organization). Required without --profile.")
        String topology;

        @Option(names = "--org", paramLabel = "ID",
                description = "Organization id: [a-z0-9][a-z0-9-]{0,62}. Users carry it in their 'org' attribute. "
                        + "Required without --profile.")
        String organization;

        @Option(names = "--display-name", paramLabel = "NAME",
                description = "Shown on the login page (default: the organization id).")
        String displayName;

        @Option(names = "--realm", paramLabel = "NAME",
                description = "Realm name, per-organization only (default: the organization id; "
                        + "in shared-sovereign mode it is always the organization id).")
        String realm;

        @Option(names = "--redirect-uri", paramLabel = "URI",
                description = "Redirect URI of the 'gatehouse' sign-in client (default: "
                        + RealmParameters.DEFAULT_REDIRECT_URI + ").")
        String redirectUri;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE",
                description = "Write the realm to FILE instead of standard output.")
        Path output;

        @Override
        public Integer call() throws IOException {
            boolean fapi = fapiProfile();
            String json = fapi ? FapiRealm.json() : RealmTemplates.render(parameters());
            if (output == null) {
                spec.commandLine().getOut().print(json);
                spec.commandLine().getOut().flush();
                return CommandLine.ExitCode.OK;
            }
            try {
                Files.writeString(output, json, StandardCharsets.UTF_8);
            } catch (IOException e) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("gatehouse: cannot write " + output + ": " + e.getMessage());
                return CommandLine.ExitCode.SOFTWARE;
            }
            spec.commandLine().getErr().println(fapi ? "wrote FAPI 2.0 realm " + FapiRealm.REALM + " to " + output
                    : "wrote realm of organization " + organization + " (" + topology + ") to " + output);
            return CommandLine.ExitCode.OK;
        }

        /** True for {@code --profile fapi}, which takes none of the per-organization options. */
        private boolean fapiProfile() {
            if (profile == null) {
                return false;
            }
            if (!profile.equals("fapi")) {
                throw usage("--profile: \"" + profile + "\" (expected: fapi)");
            }
            for (String[] option : new String[][] {{"--topology", topology}, {"--org", organization},
                    {"--realm", realm}, {"--display-name", displayName}, {"--redirect-uri", redirectUri}}) {
                if (option[1] != null) {
                    throw usage(option[0] + ": not allowed with --profile fapi (the realm is '" + FapiRealm.REALM
                            + "'; clients are registered after import, see docs/keycloak.md)");
                }
            }
            return true;
        }

        private RealmParameters parameters() {
            if (topology == null) {
                throw usage("--topology: required (shared-sovereign or per-organization), or --profile fapi");
            }
            if (organization == null) {
                throw usage("--org: required with --topology (an organization id), or --profile fapi");
            }
            try {
                Topology chosen = Topology.fromConfigName(topology).orElseThrow(() -> new IllegalArgumentException(
                        "topology: \"" + topology + "\" (expected: shared-sovereign or per-organization)"));
                if (realm != null && chosen == Topology.SHARED_SOVEREIGN && !realm.equals(organization)) {
                    throw new IllegalArgumentException("--realm: not allowed with --topology shared-sovereign"
                            + " (the realm name is the organization id)");
                }
                RealmParameters parameters = RealmParameters.of(chosen, organization);
                if (realm != null) {
                    parameters = parameters.withRealm(realm);
                }
                if (displayName != null) {
                    parameters = parameters.withDisplayName(displayName);
                }
                if (redirectUri != null) {
                    parameters = parameters.withRedirectUri(redirectUri);
                }
                return parameters;
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }

        private CommandLine.ParameterException usage(String message) {
            return new CommandLine.ParameterException(spec.commandLine(), "gatehouse keycloak realm: " + message);
        }
    }
}
