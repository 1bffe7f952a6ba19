package dev.gatehouse.server.sandbox;

import dev.gatehouse.server.http.Shown;
import static java.util.Objects.requireNonNull;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A configured pod/runtime shape a sandbox is started from (an entry of {@code sandbox.profiles}). A
 * profile named {@value #DEFAULT} always exists. Immutable.
 *
 * @param name unique; what {@code POST /api/v1/sandbox/sessions} names in {@code profile}
 * @param channels the gateway channels the sandbox's token may use; empty: every channel its
 *     organization may use
 * @param model the default model given to the runtime ({@code LLM_DEFAULT_MODEL}) unless the request
 *     names one
 * @param image kubernetes: the runtime's container image; empty: {@code sandbox.kubernetes.image}
 * @param runtimeClass kubernetes: the pod's RuntimeClass (e.g. {@code gvisor}), if any
 * @param resources kubernetes: the runtime container's requests and limits
 * @param volume kubernetes: a persistent volume claim mounted into the runtime, if any
 * @param command process: the command line of the runtime; empty: Gatehouse's reference runtime
 * @param port kubernetes: the port the runtime listens on in its pod (the process backend picks a free
 *     loopback port and passes it as {@code PORT})
 * @param tokenDelivery how a rotated token reaches the runtime
 */
public record SandboxProfile(
        String name,
        List<String> channels,
        Optional<String> model,
        Optional<String> image,
        Optional<String> runtimeClass,
        Resources resources,
        Optional<PersistentVolume> volume,
        List<String> command,
        int port,
        TokenDelivery tokenDelivery) {

    public static final String DEFAULT = "default";
    public static final int DEFAULT_PORT = 8080;
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /** A DNS-1123 subdomain, as Kubernetes requires of a RuntimeClass name. */
    private static final Pattern RUNTIME_CLASS = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");

    public SandboxProfile {
        requireNonNull(name, "name");
        channels = List.copyOf(requireNonNull(channels, "channels"));
        requireNonNull(model, "model");
        requireNonNull(image, "image");
        requireNonNull(runtimeClass, "runtimeClass");
        requireNonNull(resources, "resources");
        requireNonNull(volume, "volume");
        command = List.copyOf(requireNonNull(command, "command"));
        requireNonNull(tokenDelivery, "tokenDelivery");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: " + Shown.quote(name)
                    + " (expected: 1..63 lower-case letters, digits or '-', starting and ending with a letter or digit)");
        }
        for (int i = 0; i < channels.size(); i++) {
            if (channels.get(i).isBlank()) {
                throw new IllegalArgumentException("channels[" + i + "]: \"\" (expected: a channel name)");
            }
        }
        if (new LinkedHashSet<>(channels).size() != channels.size()) {
            throw new IllegalArgumentException("channels: " + channels + " (expected: no duplicates)");
        }
        if (model.isPresent() && model.get().isBlank()) {
            throw new IllegalArgumentException("model: \"\" (expected: a model name, or not set)");
        }
        if (image.isPresent() && (image.get().isBlank() || image.get().chars().anyMatch(Character::isWhitespace))) {
            throw new IllegalArgumentException("image: " + Shown.quote(image.get()) + " (expected: an image reference)");
        }
        runtimeClass.ifPresent(value -> {
            if (!RUNTIME_CLASS.matcher(value).matches()) {
                throw new IllegalArgumentException("runtimeClass: " + Shown.quote(value)
                        + " (expected: a RuntimeClass name: lower-case letters, digits, '.' or '-')");
            }
        });
        for (int i = 0; i < command.size(); i++) {
            if (command.get(i).isEmpty()) {
                throw new IllegalArgumentException("command[" + i + "]: \"\" (expected: a non-empty argument)");
            }
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
    }

    /** The built-in {@value #DEFAULT} profile: every channel, the reference runtime, default resources. */
    public static SandboxProfile builtInDefault() {
        return new SandboxProfile(DEFAULT, List.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                Resources.DEFAULTS, Optional.empty(), List.of(), DEFAULT_PORT, TokenDelivery.FILE);
    }


    /**
     * The runtime container's resources, as Kubernetes quantities ({@code 250m}, {@code 1},
     * {@code 512Mi}). The process backend cannot enforce them.
     */
    public record Resources(String cpuRequest, String cpuLimit, String memoryRequest, String memoryLimit) {
        // Before DEFAULTS: its constructor checks against it while the class is being initialized.
        private static final Pattern QUANTITY =
                Pattern.compile("(\\d+(\\.\\d+)?|\\.\\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?");
        public static final Resources DEFAULTS = new Resources("100m", "1", "128Mi", "512Mi");

        public Resources {
            check("cpuRequest", cpuRequest);
            check("cpuLimit", cpuLimit);
            check("memoryRequest", memoryRequest);
            check("memoryLimit", memoryLimit);
        }

        private static void check(String field, String value) {
            requireNonNull(value, field);
            if (!QUANTITY.matcher(value).matches()) {
                throw new IllegalArgumentException("resources." + field + ": " + Shown.quote(value)
                        + " (expected: a Kubernetes quantity such as 250m, 1, 128Mi or 2Gi)");
            }
        }
    }

    /**
     * A persistent volume claim created with the sandbox and mounted into its runtime (kubernetes).
     *
     * @param size the claim's storage request, a Kubernetes quantity ({@code 10Gi})
     * @param storageClass the claim's StorageClass; empty: the cluster's default
     * @param mountPath where the runtime sees it, an absolute path
     */
    public record PersistentVolume(String size, Optional<String> storageClass, String mountPath) {
        public static final String DEFAULT_MOUNT_PATH = "/workspace";
        private static final Pattern SIZE = Pattern.compile("\\d+(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?");

        public PersistentVolume {
            requireNonNull(size, "size");
            requireNonNull(storageClass, "storageClass");
            requireNonNull(mountPath, "mountPath");
            if (!SIZE.matcher(size).matches()) {
                throw new IllegalArgumentException("volume.size: " + Shown.quote(size)
                        + " (expected: a Kubernetes quantity such as 10Gi)");
            }
            if (!mountPath.startsWith("/") || mountPath.contains("..") || mountPath.equals("/")) {
                throw new IllegalArgumentException("volume.mountPath: " + Shown.quote(mountPath)
                        + " (expected: an absolute path below /, e.g. /workspace)");
            }
        }
    }
}
