package dev.gatehouse.server.tokens;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.verify.RevocationCheck;
import dev.gatehouse.server.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;

/**
 * The ids ({@code jti}) of revoked, not yet expired personal access tokens and sandbox tokens, held in memory so that
 * every verification is a set lookup. Loaded in full at start, then {@link #refresh()}ed
 * incrementally (a replica calls it every {@code pat.revocationPollInterval}) to see revocations
 * made by other replicas sharing the store; revocations made here are added at once by {@link
 * #add}.
 *
 * <p>A refresh reads the revocations the store numbered after the last one this replica saw
 * ({@code revocations.seq}, assigned in commit order). No clock is compared with another
 * replica's: a revoking replica whose clock is off by hours is seen on the next poll all the same.
 * Every {@value #FULL_RELOAD_EVERY} refreshes the set is reloaded in full, as a safety net. Entries
 * leave the set a margin after their token expires (by this replica's clock, the one its verifier
 * checks {@code exp} with), when the verifier refuses it as expired anyway.
 *
 * <p>{@link #pruneLog()} deletes a revocation from the store's numbered log {@link #LOG_RETENTION}
 * after its token expired. No verifier can accept the token by then (they allow {@code
 * tokens.clockSkew}, at most 5 minutes, past {@code exp}), so a replica that has not polled it yet
 * loses nothing, unless its clock is most of a day behind the pruning replica's. The counter is
 * never touched: numbers are never reused and every replica's last seen number stays valid. The
 * full reload reads the token tables, not the log.
 *
 * <p>Thread-safe: lookups are lock-free; refreshes must not run concurrently with each other
 * (the periodic timer runs them one at a time). {@link #refresh()} blocks on the store.
 */
public final class RevokedTokens implements RevocationCheck {
    public static final int FULL_RELOAD_EVERY = 150;
    private static final Duration EXPIRY_MARGIN = Duration.ofMinutes(10);
    /**
     * How long after its token expired a revocation stays in the store's log: far beyond {@code
     * tokens.clockSkew} and {@link #EXPIRY_MARGIN}, for replicas whose clocks are hours behind the
     * pruning replica's.
     */
    public static final Duration LOG_RETENTION = Duration.ofDays(1);

    private final Database database;
    private final Clock clock;
    private final Map<String, Long> expiryById = new ConcurrentHashMap<>();
    private volatile long lastSeen;
    private volatile int refreshesSinceFullLoad;
    private volatile Instant lastRefreshSucceeded;

    private RevokedTokens(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** Loads every revoked, unexpired token id. */
    public static RevokedTokens load(Database database, Clock clock) {
        requireNonNull(database, "database");
        requireNonNull(clock, "clock");
        RevokedTokens revoked = new RevokedTokens(database, clock);
        revoked.loadAll();
        return revoked;
    }

    /**
     * Reads the revocations numbered after the last one seen (every {@value #FULL_RELOAD_EVERY}th
     * call: all of them); prunes expired ids.
     */
    public void refresh() {
        if (++refreshesSinceFullLoad >= FULL_RELOAD_EVERY) {
            loadAll();
        } else {
            loadNew();
        }
        long forgetBefore = clock.instant().minus(EXPIRY_MARGIN).toEpochMilli();
        expiryById.values().removeIf(expiresAt -> expiresAt < forgetBefore);
    }

    /**
     * Deletes from the store's log the revocations of tokens that expired more than {@link
     * #LOG_RETENTION} ago by this replica's clock. Safe to run on every replica, concurrently with
     * revocations and polls anywhere. Blocks on the store.
     */
    public void pruneLog() {
        long expiredBefore = clock.instant().minus(LOG_RETENTION).toEpochMilli();
        database.jdbi().useHandle(handle -> Revocations.pruneRevocations(handle, expiredBefore));
    }

    /** Records a revocation made by this replica, effective at once here. */
    public void add(String tokenId, Instant expiresAt) {
        expiryById.put(requireNonNull(tokenId, "tokenId"), expiresAt.toEpochMilli());
    }

    @Override
    public boolean isRevoked(Claims claims) {
        return claims.tokenId().map(expiryById::containsKey).orElse(false);
    }

    /** Whether the last successful refresh started less than {@code maxAge} ago. */
    public boolean isFresherThan(Duration maxAge) {
        Instant succeeded = lastRefreshSucceeded;
        return succeeded != null && succeeded.plus(maxAge).isAfter(clock.instant());
    }

    /** How many ids are held; for tests and metrics. */
    public int size() {
        return expiryById.size();
    }

    /**
     * The counter first, then every revoked row: a revocation committed in between is in both, and
     * re-reading it later is harmless.
     */
    private void loadAll() {
        Instant started = clock.instant();
        long expiringAfter = started.minus(EXPIRY_MARGIN).toEpochMilli();
        database.jdbi().useHandle(handle -> {
            long last = Revocations.lastRevocation(handle);
            expiryById.putAll(Revocations.revoked(handle, expiringAfter));
            lastSeen = Math.max(lastSeen, last);
        });
        refreshesSinceFullLoad = 0;
        lastRefreshSucceeded = started;
    }

    private void loadNew() {
        Instant started = clock.instant();
        long expiringAfter = started.minus(EXPIRY_MARGIN).toEpochMilli();
        List<Revocations.Revocation> found =
                database.jdbi().withHandle(handle -> Revocations.revocationsAfter(handle, lastSeen));
        for (Revocations.Revocation revocation : found) {
            if (revocation.expiresAt() > expiringAfter) {
                expiryById.put(revocation.tokenId(), revocation.expiresAt());
            }
            lastSeen = Math.max(lastSeen, revocation.seq());
        }
        lastRefreshSucceeded = started;
    }

    /**
     * Numbers the revocation of a token that is not a personal access token (a sandbox token) so
     * that every replica's next poll sees it. Call inside the transaction that revokes it; then
     * {@link #add} it here for immediate effect on this replica.
     */
    public void record(Handle handle, String tokenId, long expiresAtMillis) {
        Revocations.recordRevocation(handle, tokenId, expiresAtMillis);
    }
}
