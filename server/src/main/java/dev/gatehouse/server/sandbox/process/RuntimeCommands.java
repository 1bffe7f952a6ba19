package dev.gatehouse.server.sandbox.process;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.sandbox.SandboxProfile;
import java.util.List;

/**
 * The command line a profile's runtime is started with: the profile's own {@code command}, or
 * Gatehouse's reference runtime ({@code runtime/}) on the JVM this Gatehouse runs on.
 */
public final class RuntimeCommands {
    private final List<String> referenceRuntime;

    /** @param referenceRuntime the command line of the reference runtime */
    public RuntimeCommands(List<String> referenceRuntime) {
        this.referenceRuntime = List.copyOf(requireNonNull(referenceRuntime, "referenceRuntime"));
    }

    List<String> forProfile(SandboxProfile profile) {
        return profile.command().isEmpty() ? referenceRuntime : profile.command();
    }
}
