package dev.gatehouse.server.sandbox.kubernetes;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.sandbox.SandboxEndpoint;
import dev.gatehouse.server.sandbox.SandboxEvents;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Turns the pod informer's notifications into {@link SandboxEvents}:
 *
 * <ul>
 *   <li>a sandbox pod becoming ready: {@link SandboxEvents#running} with the sandbox's Service;
 *   <li>a sandbox pod that cannot run ({@link PodStates#failure}): {@link SandboxEvents#failed}, once
 *       per new reason;
 *   <li>the last pod of a sandbox deleted, unless {@link #expectDeletion} announced it within the last
 *       {@link #DELETION_MEMORY}: {@link SandboxEvents#failed} with {@link #DELETED_OUTSIDE}. A rotation
 *       creates the next pod before it deletes the older one, so the older one is never the last.
 * </ul>
 *
 * A pod already being deleted reports nothing until it is gone. A resync (the same pod handed over
 * twice) repeats the pod's state, for a receiver that missed it.
 *
 * <p>Thread-safe: the informer calls it from its own thread, {@link #expectDeletion} comes from any
 * thread. Events are sent outside the lock.
 */
final class PodEventHandler implements ResourceEventHandler<Pod> {
    static final String DELETED_OUTSIDE = "The sandbox's pod was deleted outside Gatehouse.";
    /**
     * How long an announced deletion is remembered: the informer may learn of a pod (and of its deletion)
     * only after the deletion is over, and a sandbox whose pod is never seen must not be remembered forever.
     */
    static final Duration DELETION_MEMORY = Duration.ofMinutes(10);

    private final SandboxEvents events;
    private final Function<String, SandboxEndpoint> endpoints;
    private final LongSupplier nanoClock;
    /** Sandbox id to the names of its pods in the informer's view. Guarded by {@code this}. */
    private final Map<String, Set<String>> podsBySandbox = new HashMap<>();
    /** Sandboxes whose pods this backend deletes, to when that is forgotten ({@code nanoClock}). Guarded by {@code this}. */
    private final Map<String, Long> deleting = new HashMap<>();

    /**
     * @param endpoints where a sandbox is reached, by id
     * @param nanoClock {@link System#nanoTime()} outside tests
     */
    PodEventHandler(SandboxEvents events, Function<String, SandboxEndpoint> endpoints, LongSupplier nanoClock) {
        this.events = requireNonNull(events, "events");
        this.endpoints = requireNonNull(endpoints, "endpoints");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
    }

    /**
     * The pods of sandbox {@code id} are about to be deleted by this backend: their deletion is no failure.
     * Forgotten when its last pod is gone, or after {@link #DELETION_MEMORY}.
     */
    synchronized void expectDeletion(String id) {
        long now = nanoClock.getAsLong();
        deleting.values().removeIf(forgetAt -> forgetAt - now <= 0);
        deleting.put(id, now + DELETION_MEMORY.toNanos());
    }

    @Override
    public void onAdd(Pod pod) {
        sandboxOf(pod).ifPresent(id -> {
            track(id, pod);
            report(id, null, pod);
        });
    }

    @Override
    public void onUpdate(Pod previous, Pod pod) {
        sandboxOf(pod).ifPresent(id -> {
            track(id, pod);
            report(id, previous == pod ? null : previous, pod);
        });
    }

    @Override
    public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
        sandboxOf(pod).ifPresent(id -> {
            if (lastGoneUnannounced(id, pod)) {
                events.failed(id, DELETED_OUTSIDE);
            }
        });
    }

    private void report(String id, Pod previous, Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        Optional<String> failure = PodStates.failure(pod);
        if (failure.isPresent()) {
            if (previous == null || !failure.equals(PodStates.failure(previous))) {
                events.failed(id, failure.get());
            }
            return;
        }
        if (PodStates.isReady(pod) && (previous == null || !PodStates.isReady(previous))) {
            events.running(id, endpoints.apply(id));
        }
    }

    private synchronized void track(String id, Pod pod) {
        podsBySandbox.computeIfAbsent(id, key -> new HashSet<>()).add(pod.getMetadata().getName());
    }

    /** Removes {@code pod} from view; whether it was the sandbox's last and its deletion was not announced. */
    private synchronized boolean lastGoneUnannounced(String id, Pod pod) {
        Set<String> pods = podsBySandbox.get(id);
        if (pods == null || !pods.remove(pod.getMetadata().getName()) || !pods.isEmpty()) {
            return false;
        }
        podsBySandbox.remove(id);
        Long forgetAt = deleting.remove(id);
        return forgetAt == null || forgetAt - nanoClock.getAsLong() <= 0;
    }

    private static Optional<String> sandboxOf(Pod pod) {
        return Optional.ofNullable(pod.getMetadata().getLabels().get(SandboxObjects.SANDBOX_LABEL));
    }
}
