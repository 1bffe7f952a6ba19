package dev.gatehouse.server.gateway.limits;

/**
 * The shared per-minute windows (Redis) could not be reached, so nothing was decided or taken. The
 * relay answers 503 {@code rate_limits_unavailable}; the cause (a timeout, a refused connection) is
 * for logs only. Stackless.
 */
public final class RateLimitsUnavailableException extends RuntimeException {
    public RateLimitsUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
