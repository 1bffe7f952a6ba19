package dev.gatehouse.server.pat;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.RevocationCheck;
import dev.gatehouse.server.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers when each personal access token was last accepted, in memory, and writes the lot to
 * the store in one batch per {@link #flush()} (every {@code pat.lastUsedFlushInterval} and at
 * shutdown): at most one row update per used token per flush, never one per request. A use
 * recorded while a flush runs is kept for the next one. Thread-safe; {@link #flush()} blocks and
 * must not run concurrently with itself.
 */
public final class LastUsedTracker {
    private final Database database;
    private final Clock clock;
    private final Map<String, Long> pending = new ConcurrentHashMap<>();

    public LastUsedTracker(Database database, Clock clock) {
        this.database = requireNonNull(database, "database");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * {@code revoked}, then, for a personal access token it lets through, a record of the use: the
     * last check a verifier makes, so only tokens that passed every other check count as used.
     */
    public RevocationCheck recordingUse(RevocationCheck revoked) {
        requireNonNull(revoked, "revoked");
        return claims -> {
            if (revoked.isRevoked(claims)) {
                return true;
            }
            if (claims.type() == TokenType.PAT) {
                claims.tokenId().ifPresent(id -> record(id, clock.instant()));
            }
            return false;
        };
    }

    public void record(String tokenId, Instant at) {
        pending.merge(requireNonNull(tokenId, "tokenId"), at.toEpochMilli(), Math::max);
    }

    /** The last use recorded here and not yet flushed. */
    public Optional<Instant> pending(String tokenId) {
        return Optional.ofNullable(pending.get(tokenId)).map(Instant::ofEpochMilli);
    }

    /**
     * Writes every pending last use in one batch.
     *
     * @return how many tokens were written (one row update each)
     */
    public int flush() {
        Map<String, Long> batch = new HashMap<>(pending);
        if (batch.isEmpty()) {
            return 0;
        }
        database.jdbi().useTransaction(handle -> PatStore.updateLastUsed(handle, batch));
        // Keep a use recorded while the batch was being written: only drop what was written.
        batch.forEach(pending::remove);
        return batch.size();
    }
}
