package dev.gatehouse.server.byos;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.audit.AuditEvent.Outcome;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.units.Quantities;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.Shown;
import dev.gatehouse.server.store.Database;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connecting, showing and disconnecting users' own subscriptions: the OAuth 2.0 authorization code
 * flow with PKCE ({@link #start}, {@link #callback}), a pasted key ({@link #saveKey}), {@link #status}
 * and {@link #disconnect}. A flow's {@code state} is bound to its user, used once and short-lived, and
 * kept in the store (hashed; its verifier sealed), so any replica finishes it. Every method blocks on
 * the store or the provider: call it off the event loop. Thread-safe.
 */
public final class Subscriptions {
    private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    /** An OAuth error code as RFC 6749 allows it; anything else from the provider is not repeated. */
    private static final Pattern ERROR_CODE = Pattern.compile("[a-z_]{1,64}");
    /** A pasted key: visible ASCII without spaces. */
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,4096}");
    /** Connections one member may have started and not finished at once. */
    static final int MAX_STARTED = 10;

    private final ByosConfig config;
    private final ProviderClients clients;
    private final ByosConnections connections;
    private final Database database;
    private final AuditLog audit;
    private final Clock clock;

    public Subscriptions(ByosConfig config, ProviderClients clients, ByosConnections connections,
            Database database, AuditLog audit, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.clients = requireNonNull(clients, "clients");
        this.connections = requireNonNull(connections, "connections");
        this.database = requireNonNull(database, "database");
        this.audit = requireNonNull(audit, "audit");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Starts connecting {@code owner}'s subscription of {@code providerName}: the URL to send the
     * browser to, and until when it may come back.
     *
     * @param returnTo where the browser goes after the callback: under {@code byos.consoleUrl}
     * @throws ApiException 400 {@code invalid_provider} or {@code redirect_not_allowed}, 503
     *     {@code provider_not_configured} or {@code oauth_not_configured}
     */
    public Started start(ByosOwner owner, String providerName, Optional<String> returnTo) {
        requireNonNull(owner, "owner");
        ByosProvider provider = provider(providerName);
        ProviderClient client = client(provider);
        Optional<URI> target = returnTo.map(text -> ReturnTargets.check(config.consoleUrl(), text));
        String state = random();
        String verifier = ProviderClient.newVerifier();
        String stateHash = hash(state);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        PendingConnection pending = new PendingConnection(stateHash, owner, provider.name(),
                connections.seal(verifier, PendingConnection.verifierContext(owner, provider.name(), stateHash)),
                target, now.plus(config.stateTtl()));
        database.jdbi().useTransaction(handle -> {
            ByosStore.purgeStatesExpiredBefore(handle, now);
            if (ByosStore.countStates(handle, owner) >= MAX_STARTED) {
                throw new ApiException(429, "too_many_started", "You have " + MAX_STARTED + " connections"
                        + " started and not finished; finish one, or wait " + Quantities.formatDuration(config.stateTtl())
                        + " (byos.stateTtl) for them to expire.");
            }
            ByosStore.insertState(handle, pending);
        });
        return new Started(client.authorizationUrl(state, verifier), pending.expiresAt());
    }

    /** A connection started: the browser goes to {@code authorizeUrl} and must be back by {@code expiresAt}. */
    public record Started(URI authorizeUrl, Instant expiresAt) {}

    /**
     * Finishes a connection: the provider sent the browser back with {@code code} (or {@code error})
     * and the {@code state} of {@link #start}. The state is used up whatever happens next.
     *
     * @param caller the user a session on the callback request names, if it carried one: it must be
     *     the one the state was issued to
     * @throws ApiException 400 {@code invalid_state} (missing, unknown, used, another
     *     provider's), {@code state_expired}, {@code invalid_request} (no code); 403 {@code wrong_user}
     */
    public CallbackOutcome callback(String providerName, Optional<String> state, Optional<String> code,
            Optional<String> error, Optional<ByosOwner> caller, RequestOrigin origin) {
        ByosProvider provider = provider(providerName);
        ProviderClient client = client(provider);
        String stateValue = state.filter(value -> !value.isEmpty()).orElseThrow(() -> new ApiException(400,
                "invalid_state", "state: missing (expected: the state of a connection started with POST …/start)"));
        PendingConnection pending = database.jdbi()
                .inTransaction(handle -> ByosStore.takeState(handle, hash(stateValue)))
                .filter(found -> found.provider().equals(provider.name()))
                .orElseThrow(() -> new ApiException(400, "invalid_state", "state: unknown, already used or"
                        + " issued for another provider (expected: the state of a connection started with POST"
                        + " …/start; start again)"));
        if (!pending.expiresAt().isAfter(clock.instant())) {
            throw new ApiException(400, "state_expired", "The connection was started more than "
                    + config.stateTtl().toMinutes() + " minutes ago (byos.stateTtl); start again.");
        }
        if (caller.isPresent() && !caller.get().equals(pending.owner())) {
            throw new ApiException(403, "wrong_user",
                    "This connection was started by another user; start it again signed in as yourself.");
        }
        ByosOwner owner = pending.owner();
        if (error.isPresent()) {
            String reason = error.filter(ERROR_CODE.asMatchPredicate()).orElse("provider_error");
            refused(owner, provider.name(), origin, "the provider answered " + reason);
            return CallbackOutcome.failed(provider.name(), pending.returnTo(), reason.equals("access_denied")
                    ? "denied" : "failed", reason);
        }
        String codeValue = code.filter(value -> !value.isEmpty()).orElseThrow(() -> new ApiException(400,
                "invalid_request", "code: missing (expected: the authorization code the provider sent)"));
        ProviderClient.Grant grant;
        try {
            grant = client.exchange(codeValue, connections.verifier(pending));
        } catch (ProviderException e) {
            refused(owner, provider.name(), origin, e.getMessage());
            return CallbackOutcome.failed(provider.name(), pending.returnTo(), "failed", "exchange_failed");
        }
        Instant now = clock.instant();
        Optional<Connection> replaced = connections.replace(owner, provider.name(), Connection.Kind.OAUTH,
                grant.accessToken(), grant.refreshToken(), grant.expiresAt(), grant.scopes(), now,
                handle -> audit.record(handle, ByosAudit.event(now, owner, provider.name(), ByosAudit.CONNECTED,
                        owner.actor(), origin, Outcome.SUCCESS, Map.of("kind", "oauth", "scopes", grant.scopes()))));
        replaced.ifPresent(this::revoke);
        return CallbackOutcome.connected(provider.name(), pending.returnTo());
    }

    private void refused(ByosOwner owner, String provider, RequestOrigin origin, String reason) {
        audit.record(ByosAudit.event(clock.instant(), owner, provider, ByosAudit.CONNECTED, owner.actor(), origin,
                Outcome.REFUSED, Map.of("kind", "oauth", "reason", reason)));
    }

    /**
     * Connects {@code owner}'s subscription of {@code providerName} with a key the user pasted,
     * replacing any earlier connection (an OAuth one is revoked at the provider).
     *
     * @throws ApiException 400 {@code invalid_provider} or {@code invalid_key}, 503 {@code provider_not_configured}
     */
    public Connection saveKey(ByosOwner owner, String providerName, String key, RequestOrigin origin) {
        requireNonNull(owner, "owner");
        requireNonNull(key, "key");
        ByosProvider provider = provider(providerName);
        if (!KEY.matcher(key).matches()) {
            throw new ApiException(400, "invalid_key",
                    "key: not shown (expected: 1..4096 visible ASCII characters without spaces)");
        }
        Instant now = clock.instant();
        Optional<Connection> replaced = connections.replace(owner, provider.name(), Connection.Kind.KEY, key,
                Optional.empty(), Optional.empty(), List.of(), now,
                handle -> audit.record(handle, ByosAudit.event(now, owner, provider.name(), ByosAudit.CONNECTED,
                        owner.actor(), origin, Outcome.SUCCESS, Map.of("kind", "key"))));
        replaced.ifPresent(this::revoke);
        return connections.find(owner, provider.name()).orElseThrow();
    }

    /**
     * {@code owner}'s subscription of {@code providerName}, if connected (broken ones included).
     *
     * @throws ApiException 400 {@code invalid_provider}, 503 {@code provider_not_configured}
     */
    public Optional<Connection> status(ByosOwner owner, String providerName) {
        requireNonNull(owner, "owner");
        return connections.find(owner, provider(providerName).name());
    }

    /** Whether {@code providerName} connects through OAuth (else by a pasted key only). */
    public boolean offersOAuth(String providerName) {
        return provider(providerName).oauth().isPresent();
    }

    /**
     * Disconnects {@code owner}'s subscription of {@code providerName}: revoked at the provider when
     * it has a revocation endpoint, then deleted whatever the provider said. A refresh or reconnection
     * racing with it is revoked and deleted too.
     *
     * @return how the (last) revocation went; empty when nothing was connected
     * @throws ApiException 400 {@code invalid_provider}, 503 {@code provider_not_configured}
     */
    public Optional<Revocation> disconnect(ByosOwner owner, String providerName, RequestOrigin origin) {
        requireNonNull(owner, "owner");
        ByosProvider provider = provider(providerName);
        for (int attempt = 1; attempt <= ByosConnections.MAX_ATTEMPTS; attempt++) {
            Optional<Connection> connection = connections.find(owner, provider.name());
            if (connection.isEmpty()) {
                return Optional.empty();
            }
            Revocation revocation = revoke(connection.get());
            Instant now = clock.instant();
            Map<String, Object> detail = Map.of("kind", connection.get().kind().value(), "revocation", revocation.value());
            if (connections.delete(connection.get(), handle -> audit.record(handle, ByosAudit.event(now, owner,
                    provider.name(), ByosAudit.DISCONNECTED, owner.actor(), origin, Outcome.SUCCESS, detail)))) {
                return Optional.of(revocation);
            }
        }
        throw new IllegalStateException("the subscription kept changing while it was disconnected; try again");
    }

    /**
     * Revokes the grant behind {@code connection} at its provider (its refresh token, else its access
     * token). Never throws: Gatehouse's copy is deleted whatever the provider says.
     */
    private Revocation revoke(Connection connection) {
        ProviderClient client = clients.of(connection.provider()).orElse(null);
        if (connection.kind() != Connection.Kind.OAUTH || client == null || !client.canRevoke()) {
            return Revocation.NOT_SUPPORTED;
        }
        try {
            boolean refresh = connection.refreshSealed().isPresent();
            client.revoke(refresh ? connections.refreshToken(connection) : connections.credential(connection), refresh);
            return Revocation.REVOKED;
        } catch (ProviderException | RuntimeException e) {
            log.atWarn().addKeyValue("provider", connection.provider()).addKeyValue("reason", e.getMessage())
                    .log("revoking a subscription at its provider failed; deleting it here all the same");
            return Revocation.FAILED;
        }
    }

    private ByosProvider provider(String name) {
        return Providers.require(config, name);
    }

    private ProviderClient client(ByosProvider provider) {
        return clients.of(provider.name()).orElseThrow(() -> new ApiException(503, "oauth_not_configured",
                "Provider " + Shown.quote(provider.name()) + " has no OAuth client configured (byos.providers:"
                        + " authorizeUrl, tokenUrl, clientId, redirectUri); connect it with a key instead: PUT"
                        + " /api/v1/sandbox/byos/" + provider.name() + "/key."));
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return BASE64URL.encodeToString(bytes);
    }

    static String hash(String state) {
        try {
            return BASE64URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(state.getBytes(UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** How revoking a subscription at its provider went. */
    public enum Revocation {
        REVOKED("revoked"),
        /** A pasted key, or a provider without a revocation endpoint: only Gatehouse's copy is deleted. */
        NOT_SUPPORTED("not_supported"),
        /** The provider could not be reached or refused: Gatehouse's copy is deleted all the same. */
        FAILED("failed");

        private final String value;

        Revocation(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }
}
