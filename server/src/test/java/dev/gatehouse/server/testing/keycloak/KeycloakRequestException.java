package dev.gatehouse.server.testing.keycloak;

/**
 * Keycloak answered a harness request with an unexpected status. Carries the status and body
 * (Keycloak's error JSON, such as {@code {"error":"invalid_grant",...}}) so tests can assert on them.
 */
public final class KeycloakRequestException extends RuntimeException {
    private final int status;
    private final String body;

    KeycloakRequestException(String request, int status, String body) {
        super(request + ": HTTP " + status + " " + body, null, false, false);
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    public String body() {
        return body;
    }
}
