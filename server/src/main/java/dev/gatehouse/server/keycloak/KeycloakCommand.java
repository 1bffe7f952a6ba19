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
            description = {"Render the realm template of a topology for one organization, ready for",
                "'kc.sh import --file FILE' or the admin console's realm import.",
                "Exit 0 on success, 1 when the output cannot be written, 2 on bad usage."})
    static final class Realm implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--topology", required = true, paramLabel = "TOPOLOGY",
                description = "shared-sovereign (one Keycloak, one realm per organization) or "
                        + "per-organization (one Keycloak per organization).")
        String topology;

        @Option(names = "--org", required = true, paramLabel = "ID",
                description = "Organization id: [a-z0-9][a-z0-9-]{0,62}. Users carry it in their 'org' attribute.")
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
            String json = RealmTemplates.render(parameters());
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
            spec.commandLine().getErr().println("wrote realm of organization " + organization + " ("
                    + topology + ") to " + output);
            return CommandLine.ExitCode.OK;
        }

        private RealmParameters parameters() {
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
                throw new CommandLine.ParameterException(spec.commandLine(), "gatehouse keycloak realm: "
                        + e.getMessage());
            }
        }
    }
}
