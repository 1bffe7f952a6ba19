package dev.gatehouse.server.sandbox;

import dev.gatehouse.server.http.Shown;
import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything a backend needs to run one sandbox, and nothing of its owner beyond what labels need.
 * The runtime itself gets only its {@link #access()} and {@link #model()}.
 *
 * @param id the sandbox id (a UUID): the sandbox token's {@code sub}, and part of every object name
 * @param organization the owner's organization, for labels
 * @param user the owner's user id, for labels (in a label-safe form); never given to the runtime
 * @param profile the pod/runtime shape
 * @param access the gateway and the sandbox's token, or the owner's subscription: a credential,
 *     never logged ({@link #toString()} hides it)
 * @param model the default model ({@code LLM_DEFAULT_MODEL}), if any
 */
public record SandboxSpec(
        String id, String organization, String user, SandboxProfile profile, LlmAccess access, Optional<String> model) {

    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    public SandboxSpec {
        requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            // Ids name files and Kubernetes objects: only the controller's lower-case UUIDs.
            throw new IllegalArgumentException("id: " + Shown.quote(id) + " (expected: a lower-case UUID)");
        }
        requireNonNull(organization, "organization");
        requireNonNull(user, "user");
        requireNonNull(profile, "profile");
        requireNonNull(access, "access");
        requireNonNull(model, "model");
    }

    /** A sandbox reaching the gateway at {@code gatewayUrl} with {@code token}. */
    public SandboxSpec(String id, String organization, String user, SandboxProfile profile, URI gatewayUrl, String token,
            Optional<String> model) {
        this(id, organization, user, profile, new LlmAccess.Gateway(gatewayUrl, token), model);
    }

    /** The credential the runtime holds (its gateway token, or its owner's access token or key). */
    public String token() {
        return access.credential();
    }

    /** This spec with another credential (a rotation, a refreshed subscription). */
    public SandboxSpec withToken(String newToken) {
        return new SandboxSpec(id, organization, user, profile, access.withCredential(newToken), model);
    }

    @Override
    public String toString() {
        return "SandboxSpec[id=" + id + ", organization=" + organization + ", profile=" + profile.name()
                + ", access=" + access + ", model=" + model.orElse("-") + "]";
    }
}
