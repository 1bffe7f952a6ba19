package dev.gatehouse.server.sandbox.kubernetes;

import dev.gatehouse.server.sandbox.SandboxBackendException;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a failed Kubernetes API call into a {@link SandboxBackendException} a person can act on:
 * {@code Kubernetes refused to create the sandbox's pod: Forbidden.} The message holds only the
 * status reason; the API's status (never a request body, so never a token) goes to the log at WARN.
 * Stateless and thread-safe.
 */
final class ApiFailures {
    private static final Logger log = LoggerFactory.getLogger(ApiFailures.class);

    private ApiFailures() {}

    /**
     * @param action what was asked, completing "Kubernetes refused to ...": {@code create the sandbox's pod}
     */
    static SandboxBackendException of(String action, KubernetesClientException failure) {
        if (failure.getCode() <= 0) { // no HTTP response: fabric8 leaves the code at -1
            log.atWarn().addKeyValue("action", action).setCause(failure).log("Kubernetes API unreachable");
            return new SandboxBackendException("Kubernetes could not be reached to " + action + ".", failure);
        }
        log.atWarn().addKeyValue("action", action).addKeyValue("code", failure.getCode())
                .addKeyValue("status", failure.getStatus()).log("Kubernetes API refused a request");
        return new SandboxBackendException("Kubernetes refused to " + action + ": " + reason(failure) + ".", failure);
    }

    private static String reason(KubernetesClientException failure) {
        Status status = failure.getStatus();
        if (status != null && status.getReason() != null && !status.getReason().isBlank()) {
            return status.getReason();
        }
        return switch (failure.getCode()) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 409 -> "Conflict";
            case 422 -> "Invalid";
            case 429 -> "TooManyRequests";
            case 500 -> "InternalError";
            case 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            default -> "HTTP status " + failure.getCode();
        };
    }
}
