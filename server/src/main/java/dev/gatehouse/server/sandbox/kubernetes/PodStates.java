package dev.gatehouse.server.sandbox.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a sandbox pod's status says about its runtime: ready, failed (with a sentence a person can act
 * on), or neither yet. Reads only the status and the container images, never the environment, so no
 * reason carries a credential. Stateless and thread-safe.
 */
final class PodStates {
    /** Kubernetes messages can be long (a whole stack of causes); a reason keeps about this much of one. */
    static final int MAX_DETAIL_LENGTH = 200;

    private static final Pattern WHITESPACE = Pattern.compile("[\\s\\p{Cntrl}]+");

    private PodStates() {}

    /** Whether the pod's {@code Ready} condition is {@code True}: its runtime answers its readiness probe. */
    static boolean isReady(Pod pod) {
        PodStatus status = pod.getStatus();
        return status != null && status.getConditions().stream()
                .anyMatch(condition -> "Ready".equals(condition.getType()) && "True".equals(condition.getStatus()));
    }

    /**
     * Why the pod cannot run its runtime, if it cannot: its phase is {@code Failed}, or a container waits
     * for a reason that does not go away by itself (the image cannot be pulled, the container cannot be
     * created, or it keeps crashing).
     */
    static Optional<String> failure(Pod pod) {
        PodStatus status = pod.getStatus();
        if (status == null) {
            return Optional.empty();
        }
        if ("Failed".equals(status.getPhase())) {
            return Optional.of("The sandbox's pod failed: " + detail(status.getReason(), status.getMessage()) + ".");
        }
        for (ContainerStatus container : status.getContainerStatuses()) {
            Optional<String> failure = waitingFailure(pod, container);
            if (failure.isPresent()) {
                return failure;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> waitingFailure(Pod pod, ContainerStatus container) {
        ContainerStateWaiting waiting = container.getState() == null ? null : container.getState().getWaiting();
        if (waiting == null || waiting.getReason() == null) {
            return Optional.empty();
        }
        String reason = waiting.getReason();
        return Optional.ofNullable(switch (reason) {
            case "ErrImagePull", "ImagePullBackOff", "InvalidImageName" ->
                    "The runtime image \"" + clip(image(pod, container)) + "\" cannot be pulled (" + reason + ").";
            case "CreateContainerConfigError", "CreateContainerError" ->
                    "The runtime's container cannot be created (" + detail(reason, waiting.getMessage()) + ").";
            case "CrashLoopBackOff" -> "The runtime keeps crashing (CrashLoopBackOff" + lastExit(container) + ").";
            default -> null;
        });
    }

    /** The image as the pod asked for it; the status may show it normalized ({@code docker.io/library/...}). */
    private static String image(Pod pod, ContainerStatus status) {
        return pod.getSpec().getContainers().stream()
                .filter(container -> container.getName().equals(status.getName()))
                .map(Container::getImage)
                .findFirst()
                .orElse(status.getImage());
    }

    private static String lastExit(ContainerStatus container) {
        ContainerStateTerminated terminated =
                container.getLastState() == null ? null : container.getLastState().getTerminated();
        return terminated == null || terminated.getExitCode() == null
                ? ""
                : ", last exit status " + terminated.getExitCode();
    }

    private static String detail(String reason, String message) {
        if (message == null || message.isBlank()) {
            return reason == null ? "unknown reason" : reason;
        }
        return reason == null ? clip(message) : reason + ": " + clip(message);
    }

    private static String clip(String text) {
        String flat = WHITESPACE.matcher(text).replaceAll(" ").strip();
        String cut = flat.length() > MAX_DETAIL_LENGTH ? flat.substring(0, MAX_DETAIL_LENGTH - 3) + "..." : flat;
        return cut.endsWith(".") && !cut.endsWith("...") ? cut.substring(0, cut.length() - 1) : cut;
    }
}
