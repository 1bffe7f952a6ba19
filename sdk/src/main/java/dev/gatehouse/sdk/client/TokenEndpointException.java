package dev.gatehouse.sdk.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.Optional;

/**
 * No access token could be obtained from the token endpoint, so no request was sent with one.
 *
 * <p>{@link #error()} is the endpoint's OAuth error code (RFC 6749 §5.2), e.g.
 * {@code invalid_client} or {@code unauthorized_client} for a wrong client secret (Keycloak 26
 * answers the latter), {@code invalid_scope}; it is empty when the endpoint gave none (unreachable,
 * not JSON, a success response without a usable token). {@link #statusCode()} is the HTTP status
 * of the endpoint's answer, or {@link #NO_RESPONSE} when there was none. The message names the
 * endpoint, the status, the error and its description; it never contains the client secret or a
 * token.
 *
 * <p>An {@link IOException}, so that code sending requests through
 * {@link AuthenticatingHttpClient} handles it with the other I/O failures, or catches it alone.
 */
public final class TokenEndpointException extends IOException {
    private static final long serialVersionUID = 1L;

    /** {@link #statusCode()} when the endpoint did not answer (connection refused, timeout, …). */
    public static final int NO_RESPONSE = -1;

    private final int statusCode;
    private final String error;
    private final String errorDescription;

    /**
     * @param statusCode the HTTP status, or {@link #NO_RESPONSE}
     * @param error the OAuth {@code error} code, or null
     * @param errorDescription the OAuth {@code error_description}, or null
     */
    public TokenEndpointException(String message, int statusCode, String error, String errorDescription,
            Throwable cause) {
        super(requireNonNull(message, "message"), cause);
        this.statusCode = statusCode;
        this.error = error;
        this.errorDescription = errorDescription;
    }

    /** The OAuth error code the endpoint answered, e.g. {@code invalid_client}. */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /** The endpoint's {@code error_description}, if any; meant for operators. */
    public Optional<String> errorDescription() {
        return Optional.ofNullable(errorDescription);
    }

    /** The HTTP status of the endpoint's answer, or {@link #NO_RESPONSE}. */
    public int statusCode() {
        return statusCode;
    }

    /** The same failure, thrown again in another caller's thread (with that thread's stack). */
    TokenEndpointException rethrown() {
        return new TokenEndpointException(getMessage(), statusCode, error, errorDescription, this);
    }
}
