package dev.gatehouse.server.sandbox;

import java.util.Set;

/**
 * Where sandboxes run: the objects or processes one sandbox consists of, created from a {@link
 * SandboxSpec} and removed by id. Gatehouse keeps the record of every sandbox in its store; a backend
 * holds only what runs, labelled with the sandbox id, and reports what happens to it through {@link
 * SandboxEvents}.
 *
 * <p>Implementations: {@code process} (the runtime as a local child process, for one replica on a
 * laptop) and {@code kubernetes} (a Secret, a pod, a Service and a NetworkPolicy per sandbox, owned
 * by one object). A backend creating kubernetes-sigs agent-sandbox objects ({@code Sandbox},
 * {@code SandboxClaim}) fits the same shape: its owner object is the {@code Sandbox}, and a profile
 * already names a RuntimeClass and a persistent volume.
 *
 * <p>Every method but {@link #kind()} may block (process spawning, API calls): call them off the
 * event loop. Thread-safe.
 */
public interface SandboxBackend extends AutoCloseable {

    /** The configuration name of this backend: {@code process} or {@code kubernetes}. */
    String kind();

    /**
     * Which sandboxes this instance is responsible for, as recorded with each one: those of {@code
     * process:<host>:<directory>} are one Gatehouse's children, those of {@code kubernetes:<namespace>}
     * are shared by every replica watching that namespace. The controller reaps, rotates and collects
     * only the sandboxes of its backend's scope.
     */
    String scope();

    /**
     * Starts watching what runs; from now on {@code events} hears when a sandbox becomes ready,
     * fails or disappears, from any thread. Called once, before any other method but {@link #kind()}.
     */
    void start(SandboxEvents events);

    /**
     * Creates everything {@code spec} describes and returns once it is accepted: the sandbox is then
     * pending until {@link SandboxEvents#running} or {@link SandboxEvents#failed}. On failure nothing
     * of it is left behind.
     *
     * @throws SandboxBackendException with a reason a person can act on
     */
    void create(SandboxSpec spec);

    /**
     * Gives a running sandbox a new gateway token: the runtime reads it from its token file without a
     * restart when {@code spec.profile().tokenDelivery()} is {@link TokenDelivery#FILE}, and is
     * restarted with the new token otherwise.
     *
     * @param spec the sandbox as created, with the new token
     * @throws SandboxBackendException when the sandbox is gone or the token cannot be delivered
     */
    void replaceToken(SandboxSpec spec);

    /**
     * Removes every object or process of sandbox {@code id}, waiting (boundedly) until the runtime is
     * stopped. Idempotent: removing what is not there succeeds. Reports no event for it.
     *
     * @throws SandboxBackendException when the backend cannot be reached; the caller retries later
     */
    void delete(String id);

    /** The ids of every sandbox this backend holds objects or processes for, for orphan collection. */
    Set<String> list();

    /**
     * Whether its sandboxes end when this Gatehouse process does (the process backend's runtimes are
     * its children); then the sandbox role stops them, recorded as stopped, when it closes.
     */
    default boolean endsWithGatehouse() {
        return false;
    }

    /** Stops watching and releases the backend's own resources (not the sandboxes, except as documented). */
    @Override
    void close();
}
