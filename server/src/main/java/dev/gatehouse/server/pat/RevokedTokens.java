package dev.gatehouse.server.pat;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.verify.RevocationCheck;
import dev.gatehouse.server.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ids ({@code jti}) of revoked, not yet expired personal access tokens and sandbox tokens, held in memory so that
 * every verification is a set lookup. Loaded in full at start, then {@link #refresh()}ed
 * incrementally (a replica calls it every {@code pat.revocationPollInterval}) to see revocations
 * made by other replicas sharing the store; revocations made here are added at once by {@link
 * #add}.
 *
 * <p>A refresh reads the rows revoked since {@value #OVERLAP_SECONDS} seconds before the previous
 * refresh started (by this replica's clock). The overlap covers a revoking transaction that
 * commits after the poll that should have seen it and clocks of replicas that differ by less than
 * the overlap; the set makes re-reading harmless. Entries leave the set a clock-skew margin after
 * their token expires, when the verifier refuses it as expired anyway.
 *
 * <p>Thread-safe: lookups are lock-free; refreshes must not run concurrently with each other
 * (the periodic timer runs them one at a time). {@link #refresh()} blocks on the store.
 */
public final class RevokedTokens implements RevocationCheck {
    static final long OVERLAP_SECONDS = 60;
    private static final Duration EXPIRY_MARGIN = Duration.ofMinutes(10);

    private final Database database;
    private final Clock clock;
    private final Map<String, Long> expiryById = new ConcurrentHashMap<>();
    private volatile Instant lastRefreshStarted;
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
        revoked.read(Long.MIN_VALUE);
        return revoked;
    }

    /** Reads the revocations made since shortly before the previous refresh; prunes expired ids. */
    public void refresh() {
        long since = lastRefreshStarted.minusSeconds(OVERLAP_SECONDS).toEpochMilli();
        read(since);
        long forgetBefore = clock.instant().minus(EXPIRY_MARGIN).toEpochMilli();
        expiryById.values().removeIf(expiresAt -> expiresAt < forgetBefore);
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

    private void read(long revokedAfter) {
        Instant started = clock.instant();
        long expiringAfter = started.minus(EXPIRY_MARGIN).toEpochMilli();
        Map<String, Long> found = database.jdbi().withHandle(handle -> PatStore.revoked(handle, revokedAfter, expiringAfter));
        expiryById.putAll(found);
        lastRefreshStarted = started;
        lastRefreshSucceeded = started;
    }
}
