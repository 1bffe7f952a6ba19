package dev.gatehouse.server.sandbox;

import java.util.Locale;

/**
 * Where a sandbox is in its life: {@code pending} until its runtime answers health checks, then
 * {@code running}; {@code stopping} while it is torn down, then {@code stopped}; {@code failed} (with
 * a reason) when it could not start or stopped on its own.
 */
public enum SandboxStatus {
    PENDING,
    RUNNING,
    STOPPING,
    STOPPED,
    FAILED;

    /** The stored and shown form. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SandboxStatus fromValue(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** Whether it counts against quotas: pending or running. */
    public boolean counts() {
        return this == PENDING || this == RUNNING;
    }

    /** Whether its life is over: stopped or failed. */
    public boolean ended() {
        return this == STOPPED || this == FAILED;
    }
}
