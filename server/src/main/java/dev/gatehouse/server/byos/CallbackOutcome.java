package dev.gatehouse.server.byos;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Optional;

/**
 * How a connection that came back to {@code /callback} ended, for the browser.
 *
 * @param provider the provider's name
 * @param outcome {@code connected}, {@code denied} (the user said no at the provider) or {@code failed}
 * @param error an OAuth error code or {@code exchange_failed}, unless connected
 * @param returnTo where the flow's {@code /start} asked the browser to go, under {@code byos.consoleUrl}
 */
public record CallbackOutcome(String provider, String outcome, Optional<String> error, Optional<URI> returnTo) {
    public CallbackOutcome {
        requireNonNull(provider, "provider");
        requireNonNull(outcome, "outcome");
        requireNonNull(error, "error");
        requireNonNull(returnTo, "returnTo");
    }

    static CallbackOutcome connected(String provider, Optional<URI> returnTo) {
        return new CallbackOutcome(provider, "connected", Optional.empty(), returnTo);
    }

    static CallbackOutcome failed(String provider, Optional<URI> returnTo, String outcome, String error) {
        return new CallbackOutcome(provider, outcome, Optional.of(error), returnTo);
    }

    public boolean isConnected() {
        return error.isEmpty();
    }
}
