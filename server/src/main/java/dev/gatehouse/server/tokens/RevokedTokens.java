package dev.gatehouse.server.tokens;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.RevocationCheck;
import dev.gatehouse.server.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;

/**
 * What is revoked, held in memory so that every verification is a few map lookups: the ids ({@code
 * jti}) of revoked, not yet expired personal access tokens and sandbox tokens; withdrawn signing
 * keys, whose every token is refused (by the {@code kid} the verifier read, {@link Claims#keyId()});
 * and per sandbox the instant at or before which its legacy tokens (sandbox tokens without {@code
 * jti}, minted by NewAPI) were revoked. Loaded in full at start, then {@link #refresh()}ed
 * incrementally (a replica calls it every {@code pat.revocationPollInterval}) to see revocations
 * made by other replicas sharing the store; revocations made here are added at once by {@link #add},
 * {@link #addKey} and {@link #addSandbox}. A refresh that learns of a withdrawn key calls the
 * {@code keysWithdrawn} listener (the key ring reloads, so the key leaves this replica's JWKS and
 * signs nothing more).
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
 * full reload reads the token tables for tokens, and the log for keys and sandboxes.
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
    private final Runnable keysWithdrawn;
    private final Map<String, Long> expiryById = new ConcurrentHashMap<>();
    private final Map<String, Long> expiryByKey = new ConcurrentHashMap<>();
    private final Map<String, SandboxCutoff> cutoffBySandbox = new ConcurrentHashMap<>();
    private volatile long lastSeen;
    private volatile int refreshesSinceFullLoad;
    private volatile Instant lastRefreshSucceeded;

    private RevokedTokens(Database database, Clock clock, Runnable keysWithdrawn) {
        this.database = database;
        this.clock = clock;
        this.keysWithdrawn = keysWithdrawn;
    }

    /** Loads every revoked, unexpired token id, withdrawn key and revoked sandbox. */
    public static RevokedTokens load(Database database, Clock clock) {
        return load(database, clock, () -> {});
    }

    /**
     * As {@link #load(Database, Clock)}; {@code keysWithdrawn} is called (on the refreshing thread,
     * may block) after a refresh that learned of a signing key withdrawn elsewhere.
     */
    public static RevokedTokens load(Database database, Clock clock, Runnable keysWithdrawn) {
        requireNonNull(database, "database");
        requireNonNull(clock, "clock");
        requireNonNull(keysWithdrawn, "keysWithdrawn");
        RevokedTokens revoked = new RevokedTokens(database, clock, keysWithdrawn);
        revoked.loadAll();
        return revoked;
    }

    /**
     * Reads the revocations numbered after the last one seen (every {@value #FULL_RELOAD_EVERY}th
     * call: all of them); prunes expired ids.
     */
    public void refresh() {
        boolean newKeys = ++refreshesSinceFullLoad >= FULL_RELOAD_EVERY ? loadAll() : loadNew();
        long forgetBefore = clock.instant().minus(EXPIRY_MARGIN).toEpochMilli();
        expiryById.values().removeIf(expiresAt -> expiresAt < forgetBefore);
        expiryByKey.values().removeIf(expiresAt -> expiresAt < forgetBefore);
        cutoffBySandbox.values().removeIf(cutoff -> cutoff.expiresAt() < forgetBefore);
        if (newKeys) {
            keysWithdrawn.run();
        }
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

    /** Records a key withdrawn by this replica, effective at once here. */
    public void addKey(String kid, Instant lastTokenExpires) {
        expiryByKey.merge(requireNonNull(kid, "kid"), lastTokenExpires.toEpochMilli(), Math::max);
    }

    /** Records a sandbox revoked by this replica, effective at once here. */
    public void addSandbox(String sandbox, Instant issuedBefore, Instant lastTokenExpires) {
        cutoffBySandbox.merge(requireNonNull(sandbox, "sandbox"),
                new SandboxCutoff(issuedBefore.toEpochMilli(), lastTokenExpires.toEpochMilli()), SandboxCutoff::max);
    }

    @Override
    public boolean isRevoked(Claims claims) {
        Optional<String> tokenId = claims.tokenId();
        if (tokenId.isPresent() ? expiryById.containsKey(tokenId.get()) : isRevokedLegacy(claims)) {
            return true;
        }
        return !expiryByKey.isEmpty() && claims.keyId().map(expiryByKey::containsKey).orElse(false);
    }

    /** A sandbox token without {@code jti} is revoked with its sandbox, if issued at or before the revocation. */
    private boolean isRevokedLegacy(Claims claims) {
        if (claims.type() != TokenType.SANDBOX) {
            return false;
        }
        SandboxCutoff cutoff = cutoffBySandbox.get(claims.subject());
        return cutoff != null && claims.issuedAt().toEpochMilli() <= cutoff.issuedBefore();
    }

    /** Whether the last successful refresh started less than {@code maxAge} ago. */
    public boolean isFresherThan(Duration maxAge) {
        Instant succeeded = lastRefreshSucceeded;
        return succeeded != null && succeeded.plus(maxAge).isAfter(clock.instant());
    }

    /** How many token ids are held; for tests and metrics. */
    public int size() {
        return expiryById.size();
    }

    /**
     * The counter first, then every revoked row: a revocation committed in between is in both, and
     * re-reading it later is harmless.
     *
     * @return whether a key unknown so far is withdrawn
     */
    private boolean loadAll() {
        Instant started = clock.instant();
        long expiringAfter = started.minus(EXPIRY_MARGIN).toEpochMilli();
        boolean newKeys = database.jdbi().withHandle(handle -> {
            long last = Revocations.lastRevocation(handle);
            expiryById.putAll(Revocations.revoked(handle, expiringAfter));
            boolean added = false;
            for (Revocations.Revocation revocation : Revocations.wideRevocations(handle, expiringAfter)) {
                added |= apply(revocation);
            }
            lastSeen = Math.max(lastSeen, last);
            return added;
        });
        refreshesSinceFullLoad = 0;
        lastRefreshSucceeded = started;
        return newKeys;
    }

    private boolean loadNew() {
        Instant started = clock.instant();
        long expiringAfter = started.minus(EXPIRY_MARGIN).toEpochMilli();
        List<Revocations.Revocation> found =
                database.jdbi().withHandle(handle -> Revocations.revocationsAfter(handle, lastSeen));
        boolean newKeys = false;
        for (Revocations.Revocation revocation : found) {
            if (revocation.expiresAt() > expiringAfter) {
                newKeys |= apply(revocation);
            }
            lastSeen = Math.max(lastSeen, revocation.seq());
        }
        lastRefreshSucceeded = started;
        return newKeys;
    }

    /** @return whether it withdrew a key not known to be withdrawn before */
    private boolean apply(Revocations.Revocation revocation) {
        Instant expiresAt = Instant.ofEpochMilli(revocation.expiresAt());
        switch (revocation.kind()) {
            case TOKEN -> add(revocation.subject(), expiresAt);
            case KEY -> {
                boolean known = expiryByKey.containsKey(revocation.subject());
                addKey(revocation.subject(), expiresAt);
                return !known;
            }
            case SANDBOX -> addSandbox(revocation.subject(), Instant.ofEpochMilli(revocation.issuedBefore()), expiresAt);
        }
        return false;
    }

    /**
     * Numbers the revocation of a token that is not a personal access token (a sandbox token) so
     * that every replica's next poll sees it. Call inside the transaction that revokes it; then
     * {@link #add} it here for immediate effect on this replica.
     */
    public void record(Handle handle, String tokenId, long expiresAtMillis) {
        Revocations.recordRevocation(handle, tokenId, expiresAtMillis);
    }

    /**
     * Numbers the revocation of {@code sandbox}'s legacy tokens issued at or before {@code
     * issuedBefore}, so that every replica's next poll sees it. Call inside the revoking
     * transaction; then {@link #addSandbox} it here.
     */
    public void recordSandbox(Handle handle, String sandbox, Instant issuedBefore, Instant lastTokenExpires) {
        Revocations.recordSandboxRevocation(handle, sandbox, issuedBefore.toEpochMilli(), lastTokenExpires.toEpochMilli());
    }

    /** The latest revocation of one sandbox's legacy tokens, in epoch millis. */
    private record SandboxCutoff(long issuedBefore, long expiresAt) {
        static SandboxCutoff max(SandboxCutoff a, SandboxCutoff b) {
            return new SandboxCutoff(Math.max(a.issuedBefore, b.issuedBefore), Math.max(a.expiresAt, b.expiresAt));
        }
    }
}
