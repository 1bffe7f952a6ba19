package dev.gatehouse.server.byos;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One user's subscription of one provider, as stored: its credential and refresh token sealed to the
 * row's identity. Immutable.
 *
 * @param owner whose it is
 * @param provider the provider's name
 * @param kind connected through OAuth, or a pasted key
 * @param status usable, or broken (a refresh was refused: the user must connect again)
 * @param scopes the scopes granted (OAuth)
 * @param credentialSealed the access token or key, sealed
 * @param refreshSealed the refresh token, sealed, if the provider issued one
 * @param expiresAt when the access token expires, if the provider said
 * @param version one more for every new credential: sandboxes holding an older one get the new one
 * @param connectedAt when the user connected it
 * @param lastRefreshAt the last successful refresh
 * @param lastError why the last refresh failed, for a person; empty after a success
 */
public record Connection(ByosOwner owner, String provider, Kind kind, Status status, List<String> scopes,
        String credentialSealed, Optional<String> refreshSealed, Optional<Instant> expiresAt, long version,
        Instant connectedAt, Optional<Instant> lastRefreshAt, Optional<String> lastError) {

    public Connection {
        requireNonNull(owner, "owner");
        requireNonNull(provider, "provider");
        requireNonNull(kind, "kind");
        requireNonNull(status, "status");
        scopes = List.copyOf(requireNonNull(scopes, "scopes"));
        requireNonNull(credentialSealed, "credentialSealed");
        requireNonNull(refreshSealed, "refreshSealed");
        requireNonNull(expiresAt, "expiresAt");
        requireNonNull(connectedAt, "connectedAt");
        requireNonNull(lastRefreshAt, "lastRefreshAt");
        requireNonNull(lastError, "lastError");
    }

    /** The vault context of this connection's credential. */
    String credentialContext() {
        return owner.context(provider, "credential");
    }

    /** The vault context of this connection's refresh token. */
    String refreshContext() {
        return owner.context(provider, "refresh");
    }

    @Override
    public String toString() {
        return "Connection[owner=" + owner.subject() + ", provider=" + provider + ", kind=" + kind.value()
                + ", status=" + status.value() + ", version=" + version + ", sealed=redacted]";
    }

    /** How a subscription was connected. */
    public enum Kind {
        OAUTH, KEY;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Kind fromValue(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    /** Whether a subscription can be used. */
    public enum Status {
        CONNECTED, BROKEN;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Status fromValue(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT));
        }
    }
}
