package dev.gatehouse.server.byos;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.audit.AuditEvent.Outcome;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps OAuth subscriptions' access tokens fresh, safe to run on every replica at once: each
 * connection due ({@link #isDue}) is claimed in the store by one replica, refreshed
 * at its provider and saved one version higher (with the rotated refresh token, when the provider
 * rotates it). A refresh the provider refuses marks the connection broken, audited and visible in
 * {@code /status}, and it is not tried again; one that could not reach the provider is tried at the
 * next pass. Blocks; must not run concurrently with itself on one replica.
 */
public final class SubscriptionRefresher {
    /** How long a replica may take to refresh one connection before another may try. */
    static final Duration CLAIM = ProviderClient.TIMEOUT.multipliedBy(6);
    private static final Logger log = LoggerFactory.getLogger(SubscriptionRefresher.class);

    private final ByosConfig config;
    private final ProviderClients clients;
    private final ByosConnections connections;
    private final Database database;
    private final AuditLog audit;
    private final Clock clock;

    public SubscriptionRefresher(ByosConfig config, ProviderClients clients, ByosConnections connections,
            Database database, AuditLog audit, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.clients = requireNonNull(clients, "clients");
        this.connections = requireNonNull(connections, "connections");
        this.database = requireNonNull(database, "database");
        this.audit = requireNonNull(audit, "audit");
        this.clock = requireNonNull(clock, "clock");
    }

    /** What one {@link #refreshDue()} did, by this replica. */
    public record RefreshReport(int refreshed, int broken, int retrying) {}

    public RefreshReport refreshDue() {
        Instant now = clock.instant();
        int refreshed = 0;
        int broken = 0;
        int retrying = 0;
        for (Connection due : database.jdbi().withHandle(handle ->
                ByosStore.dueForRefresh(handle, now.plus(config.refreshBefore()), now))) {
            if (!isDue(due, now)) {
                continue;
            }
            // The time of this claim, not of the pass: earlier refreshes of the pass may have taken long.
            Instant claimedAt = clock.instant();
            Instant claim = claimedAt.plus(CLAIM);
            if (!database.jdbi().withHandle(handle -> ByosStore.claimRefresh(handle, due, claimedAt, claim))) {
                continue;
            }
            switch (refresh(due, claim)) {
                case REFRESHED -> refreshed++;
                case BROKEN -> broken++;
                case RETRYING -> retrying++;
            }
        }
        if (refreshed + broken + retrying > 0) {
            log.atInfo().addKeyValue("refreshed", refreshed).addKeyValue("broken", broken)
                    .addKeyValue("retrying", retrying).log("subscription token refresh");
        }
        return new RefreshReport(refreshed, broken, retrying);
    }

    private enum Result { REFRESHED, BROKEN, RETRYING }

    /**
     * Due {@code byos.refreshBefore} before it expires, or half-way through its life when that is
     * sooner (a provider's tokens may live shorter than {@code refreshBefore}); without a refresh
     * token, only once it has expired (the connection is then broken).
     */
    private boolean isDue(Connection connection, Instant now) {
        Instant expiry = connection.expiresAt().orElseThrow();
        if (connection.refreshSealed().isEmpty()) {
            return !expiry.isAfter(now);
        }
        Duration half = Duration.between(connection.lastRefreshAt().orElse(connection.connectedAt()), expiry)
                .dividedBy(2);
        Duration lead = half.compareTo(config.refreshBefore()) < 0 ? half : config.refreshBefore();
        return !expiry.minus(lead).isAfter(now);
    }

    private Result refresh(Connection due, Instant claim) {
        ProviderClient client = clients.of(due.provider()).orElse(null);
        if (client == null) {
            return retry(due, claim, "Provider " + due.provider() + " has no OAuth client configured any more.");
        }
        if (due.refreshSealed().isEmpty()) {
            return breakConnection(due, claim, "The access token expired and the provider issued no refresh token:"
                    + " connect the subscription again.");
        }
        ProviderClient.Grant grant;
        try {
            grant = client.refresh(connections.refreshToken(due), due.scopes());
        } catch (ProviderException e) {
            if (e.grantRefused()) {
                return breakConnection(due, claim, e.getMessage() + " Connect the subscription again.");
            }
            return retry(due, claim, e.getMessage() + " Retrying.");
        } catch (RuntimeException e) {
            log.atError().setCause(e).addKeyValue("provider", due.provider()).log("refreshing a subscription failed");
            return retry(due, claim, "Gatehouse could not refresh the token (an internal error). Retrying.");
        }
        String credential = connections.seal(grant.accessToken(), due.credentialContext());
        Optional<String> refresh = grant.refreshToken()
                .map(token -> connections.seal(token, due.refreshContext()))
                .or(due::refreshSealed);
        boolean saved = database.jdbi().withHandle(handle -> ByosStore.saveRefreshed(handle, due, claim, credential,
                refresh, grant.expiresAt(), grant.scopes(), clock.instant()));
        return saved ? Result.REFRESHED : Result.RETRYING;
    }

    private Result retry(Connection due, Instant claim, String error) {
        database.jdbi().useHandle(handle -> ByosStore.releaseRefresh(handle, due, claim, error));
        log.atWarn().addKeyValue("provider", due.provider()).addKeyValue("owner", due.owner().subject())
                .addKeyValue("reason", error).log("subscription refresh postponed");
        return Result.RETRYING;
    }

    private Result breakConnection(Connection due, Instant claim, String error) {
        Instant now = clock.instant();
        boolean marked = database.jdbi().inTransaction(handle -> {
            if (!ByosStore.markBroken(handle, due, claim, error)) {
                return false;
            }
            audit.record(handle, ByosAudit.event(now, due.owner(), due.provider(), ByosAudit.REFRESH_FAILED,
                    ByosAudit.REFRESHER, RequestOrigin.NONE, Outcome.REFUSED, Map.of("reason", error)));
            return true;
        });
        if (marked) {
            log.atWarn().addKeyValue("provider", due.provider()).addKeyValue("owner", due.owner().subject())
                    .addKeyValue("reason", error).log("subscription broken: its refresh was refused");
        }
        return marked ? Result.BROKEN : Result.RETRYING;
    }
}
