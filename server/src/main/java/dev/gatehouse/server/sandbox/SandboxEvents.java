package dev.gatehouse.server.sandbox;

/**
 * What a {@link SandboxBackend} reports about the sandboxes it runs. Events for one sandbox may be
 * repeated (a watch re-lists) and arrive on any thread; receivers must be idempotent and must not
 * block the caller for long.
 */
public interface SandboxEvents {

    /** Sandbox {@code id} is ready: its runtime answers health checks at {@code endpoint}. */
    void running(String id, SandboxEndpoint endpoint);

    /**
     * Sandbox {@code id} cannot run or stopped running on its own, for {@code reason}: one sentence a
     * person can act on (e.g. {@code The runtime exited with status 1.}, {@code The image
     * "x" cannot be pulled: ErrImagePull.}), never a credential.
     */
    void failed(String id, String reason);
}
