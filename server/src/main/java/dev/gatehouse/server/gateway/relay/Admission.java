package dev.gatehouse.server.gateway.relay;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.limits.Demand;
import dev.gatehouse.server.gateway.limits.LimitExceededException;
import dev.gatehouse.server.gateway.limits.Limiter;
import dev.gatehouse.server.gateway.limits.RateLimitsUnavailableException;
import dev.gatehouse.server.gateway.limits.Reservation;
import dev.gatehouse.server.gateway.metering.Caller;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The admit stage: asks the {@link Limiter} for a {@link Reservation}, asynchronously by contract,
 * so the request path has no blocking branch. A limiter that may wait on the store ({@link
 * Limiter#isBlocking()}: a token budget is configured, or the per-minute limits are in Redis) is
 * called on a worker thread; any other answers on the caller's thread. A refusal fails the future
 * with the 429 the client gets; rate limits that cannot be checked (Redis away, fail closed) with a
 * 503 {@code rate_limits_unavailable}.
 * Thread-safe.
 */
final class Admission {
    private final Vertx vertx;
    private final Limiter limiter;

    Admission(Vertx vertx, Limiter limiter) {
        this.vertx = requireNonNull(vertx, "vertx");
        this.limiter = requireNonNull(limiter, "limiter");
    }

    /** A reservation for {@code demand}, or a failed future holding the {@link GatewayException} to send. */
    Future<Reservation> admit(Caller caller, Demand demand) {
        if (!limiter.isBlocking()) {
            try {
                return Future.succeededFuture(reserve(caller, demand));
            } catch (GatewayException e) {
                return Future.failedFuture(e);
            }
        }
        return vertx.executeBlocking(() -> reserve(caller, demand), false);
    }

    private Reservation reserve(Caller caller, Demand demand) {
        try {
            return limiter.admit(caller, demand);
        } catch (LimitExceededException e) {
            throw refusal(e);
        } catch (RateLimitsUnavailableException e) {
            throw new GatewayException(503, "api_error", "rate_limits_unavailable",
                    "Rate limits cannot be checked right now; retry shortly.", null, 1);
        }
    }

    private static GatewayException refusal(LimitExceededException e) {
        if (e.isBudget()) {
            return new GatewayException(429, "insufficient_quota", "insufficient_quota",
                    e.getMessage() + " Limit: " + e.limit() + ".", null,
                    e.retryable() ? Math.max(0, e.retryAfterSeconds()) : -1);
        }
        return new GatewayException(429, "rate_limit_error", "rate_limit_exceeded",
                "Rate limit exceeded (" + e.limit() + ").", null, Math.max(0, e.retryAfterSeconds()));
    }
}
