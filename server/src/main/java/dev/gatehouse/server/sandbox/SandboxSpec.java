package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything a backend needs to run one sandbox, and nothing of its owner beyond what labels need.
 * The runtime itself gets only {@link #gatewayUrl()}, {@link #token()} and {@link #model()}.
 *
 * @param id the sandbox id (a UUID): the sandbox token's {@code sub}, and part of every object name
 * @param organization the owner's organization, for labels
 * @param user the owner's user id, for labels (in a label-safe form); never given to the runtime
 * @param profile the pod/runtime shape
 * @param gatewayUrl the gateway's OpenAI base URL, ending in {@code /v1}
 * @param token the sandbox's gateway token: a credential, never logged ({@link #toString()} hides it)
 * @param model the default model ({@code LLM_DEFAULT_MODEL}), if any
 */
public record SandboxSpec(
        String id, String organization, String user, SandboxProfile profile, URI gatewayUrl, String token,
        Optional<String> model) {

    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    public SandboxSpec {
        requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            // Ids name files and Kubernetes objects: only the controller's lower-case UUIDs.
            throw new IllegalArgumentException("id: " + SandboxProfile.quote(id) + " (expected: a lower-case UUID)");
        }
        requireNonNull(organization, "organization");
        requireNonNull(user, "user");
        requireNonNull(profile, "profile");
        requireNonNull(gatewayUrl, "gatewayUrl");
        requireNonNull(token, "token");
        requireNonNull(model, "model");
    }

    /** This spec with another token (a rotation). */
    public SandboxSpec withToken(String newToken) {
        return new SandboxSpec(id, organization, user, profile, gatewayUrl, newToken, model);
    }

    @Override
    public String toString() {
        return "SandboxSpec[id=" + id + ", organization=" + organization + ", profile=" + profile.name()
                + ", gatewayUrl=" + gatewayUrl + ", model=" + model.orElse("-") + ", token=redacted]";
    }
}
