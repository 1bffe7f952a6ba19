package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

/**
 * The owners' own subscriptions, as BYOS sandboxes use them: whether one is usable, and its current
 * credential. Blocks on the store: call it off the event loop. Thread-safe.
 */
public interface SandboxSubscriptions {

    /** The subscription of {@code provider} that the owner ({@code issuer}, {@code subject}) connected in {@code organization}. */
    Lookup current(String provider, String organization, String subject, String issuer);

    /** What {@link #current} found. */
    sealed interface Lookup {}

    /**
     * A connected subscription.
     *
     * @param access how a sandbox reaches the provider, with the current credential
     * @param version the credential's version: a sandbox holding another one is given this one
     */
    record Usable(LlmAccess.Subscription access, long version) implements Lookup {
        public Usable {
            requireNonNull(access, "access");
        }
    }

    /**
     * None to use: not configured, not connected, broken or unreadable.
     *
     * @param status the HTTP status refusing a new sandbox for it
     * @param code the stable code of that refusal
     * @param message why, for the owner asking for a sandbox
     * @param stopReason why a running sandbox that used it is stopped, as its {@code reason}
     */
    record Unusable(int status, String code, String message, String stopReason) implements Lookup {
        public Unusable {
            requireNonNull(code, "code");
            requireNonNull(message, "message");
            requireNonNull(stopReason, "stopReason");
        }
    }
}
