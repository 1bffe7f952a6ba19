package dev.gatehouse.server.byos;

/**
 * The provider's token or revocation endpoint did not do what was asked. {@link #grantRefused()}:
 * it answered {@code invalid_grant}, so the grant (the refresh token) is no good and retrying will not
 * help; anything else (unreachable, a server error, a rate limit, another OAuth error such as a
 * mistaken client secret) may pass. The message names the OAuth error code, never a token.
 */
public final class ProviderException extends Exception {
    private final boolean grantRefused;

    ProviderException(String message, boolean grantRefused) {
        super(message, null, false, false);
        this.grantRefused = grantRefused;
    }

    public boolean grantRefused() {
        return grantRefused;
    }
}
