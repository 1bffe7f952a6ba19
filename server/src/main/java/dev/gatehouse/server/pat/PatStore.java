package dev.gatehouse.server.pat;

import io.vertx.core.json.JsonArray;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.SqlStatement;

/** SQL over {@code personal_access_tokens}; every method runs on the caller's handle. */
final class PatStore {
    private PatStore() {}

    private static final String INSERT = """
            INSERT INTO personal_access_tokens (id, owner_subject, owner_issuer, organization, name,
                                                audience, capabilities, created_at, expires_at)
            VALUES (:id, :ownerSubject, :ownerIssuer, :organization, :name,
                    :audience, :capabilities, :createdAt, :expiresAt)""";

    static void insert(Handle handle, PatRecord record) {
        bind(handle.createUpdate(INSERT), record).execute();
    }

    /** Inserts {@code records} as one JDBC batch. */
    static void insertAll(Handle handle, List<PatRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        PreparedBatch batch = handle.prepareBatch(INSERT);
        records.forEach(record -> bind(batch, record).add());
        batch.execute();
    }

    private static <S extends SqlStatement<S>> S bind(S statement, PatRecord record) {
        return statement
                .bind("id", record.id())
                .bind("ownerSubject", record.ownerSubject())
                .bind("ownerIssuer", record.ownerIssuer())
                .bind("organization", record.organization())
                .bind("name", record.name())
                .bind("audience", record.audience())
                .bind("capabilities", new JsonArray(record.capabilities()).encode())
                .bind("createdAt", record.createdAt().toEpochMilli())
                .bind("expiresAt", record.expiresAt().toEpochMilli());
    }

    static Optional<PatRecord> find(Handle handle, String id) {
        return handle.createQuery("SELECT * FROM personal_access_tokens WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> record(rs))
                .findOne();
    }

    static List<PatRecord> listOwnedBy(Handle handle, String subject, String issuer, String organization) {
        return handle.createQuery("""
                        SELECT * FROM personal_access_tokens
                        WHERE owner_issuer = :issuer AND owner_subject = :subject AND organization = :organization
                        ORDER BY created_at DESC, id""")
                .bind("issuer", issuer)
                .bind("subject", subject)
                .bind("organization", organization)
                .map((rs, ctx) -> record(rs))
                .list();
    }

    /**
     * Takes the lock rows of {@code requested}'s owners (creating missing ones) until the transaction
     * ends, in their sorted order, so that two transactions locking overlapping owners cannot
     * deadlock: issuances for one owner in one organization then run one after the other on every
     * replica, and a {@link #activeBounds} or {@link #countActive} in a later statement sees what the
     * previous holder wrote. Adds each owner's requested tokens to its {@code active_at_most}. The
     * bound becomes NULL (unknown) where an earlier version of Gatehouse issued since it was last kept
     * ({@code active_bound_at} no longer equal to {@code last_issued_at}: that version moves only the
     * latter) and stays NULL where it was; a new row starts NULL, since tokens issued before the lock
     * rows existed are in no bound. One JDBC batch of upserts.
     */
    static void lockOwners(Handle handle, SortedMap<PatOwner, Integer> requested, Instant now) {
        PreparedBatch batch = handle.prepareBatch("""
                INSERT INTO pat_owner_locks (owner_issuer, owner_subject, organization, last_issued_at,
                                             active_at_most, active_bound_at)
                VALUES (:issuer, :subject, :organization, :now, NULL, :now)
                ON CONFLICT (owner_issuer, owner_subject, organization)
                DO UPDATE SET last_issued_at = excluded.last_issued_at,
                              active_bound_at = excluded.last_issued_at,
                              active_at_most = CASE WHEN pat_owner_locks.active_bound_at = pat_owner_locks.last_issued_at
                                                    THEN pat_owner_locks.active_at_most + :requested END""");
        requested.forEach((owner, count) -> batch.bind("issuer", owner.issuer())
                .bind("subject", owner.subject())
                .bind("organization", owner.organization())
                .bind("now", now.toEpochMilli())
                .bind("requested", count)
                .add());
        batch.execute();
    }

    /**
     * The {@code active_at_most} of each of {@code owners}' lock rows, in one statement; owners whose
     * bound is unknown (NULL) are missing. Read after {@link #lockOwners} in the same transaction.
     */
    static Map<PatOwner, Integer> activeBounds(Handle handle, Collection<PatOwner> owners) {
        List<PatOwner> listed = List.copyOf(owners);
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < listed.size(); i++) {
            sql.append(i == 0 ? "" : " UNION ALL ").append("""
                    SELECT owner_issuer, owner_subject, organization, active_at_most FROM pat_owner_locks
                    WHERE owner_issuer = :i%1$d AND owner_subject = :s%1$d AND organization = :o%1$d
                      AND active_at_most IS NOT NULL""".formatted(i));
        }
        Query query = handle.createQuery(sql.toString());
        bindOwners(query, listed);
        Map<PatOwner, Integer> bounds = new HashMap<>();
        query.map((rs, ctx) -> Map.entry(owner(rs), rs.getInt("active_at_most")))
                .forEach(entry -> bounds.put(entry.getKey(), entry.getValue()));
        return bounds;
    }

    /** Sets the {@code active_at_most} of each owner's lock row (held by this transaction). One JDBC batch. */
    static void setActiveBounds(Handle handle, Map<PatOwner, Integer> bounds) {
        if (bounds.isEmpty()) {
            return;
        }
        PreparedBatch batch = handle.prepareBatch("""
                UPDATE pat_owner_locks SET active_at_most = :bound
                WHERE owner_issuer = :issuer AND owner_subject = :subject AND organization = :organization""");
        bounds.forEach((owner, bound) -> batch.bind("bound", bound)
                .bind("issuer", owner.issuer())
                .bind("subject", owner.subject())
                .bind("organization", owner.organization())
                .add());
        batch.execute();
    }

    /**
     * How many tokens of each of {@code owners} are neither revoked nor expired at {@code now}, in
     * one statement; an owner without any maps to 0. One {@code UNION ALL} branch per owner, so each
     * is a range scan of index {@code personal_access_tokens_active} (an {@code OR} of the owners
     * made SQLite scan the whole owner index instead).
     */
    static Map<PatOwner, Integer> countActive(Handle handle, Collection<PatOwner> owners, Instant now) {
        List<PatOwner> listed = List.copyOf(owners);
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < listed.size(); i++) {
            sql.append(i == 0 ? "" : " UNION ALL ").append("""
                    SELECT owner_issuer, owner_subject, organization, COUNT(*) AS active FROM personal_access_tokens
                    WHERE owner_issuer = :i%1$d AND owner_subject = :s%1$d AND organization = :o%1$d
                      AND revoked_at IS NULL AND expires_at > :now
                    GROUP BY owner_issuer, owner_subject, organization""".formatted(i));
        }
        Query query = handle.createQuery(sql.toString()).bind("now", now.toEpochMilli());
        bindOwners(query, listed);
        Map<PatOwner, Integer> active = new HashMap<>();
        listed.forEach(owner -> active.put(owner, 0));
        query.map((rs, ctx) -> Map.entry(owner(rs), rs.getInt("active")))
                .forEach(entry -> active.put(entry.getKey(), entry.getValue()));
        return active;
    }

    /** Binds owner {@code i} of {@code owners} to {@code :i<i>}, {@code :s<i>} and {@code :o<i>}. */
    private static void bindOwners(Query query, List<PatOwner> owners) {
        for (int i = 0; i < owners.size(); i++) {
            query.bind("i" + i, owners.get(i).issuer())
                    .bind("s" + i, owners.get(i).subject())
                    .bind("o" + i, owners.get(i).organization());
        }
    }

    private static PatOwner owner(ResultSet rs) throws SQLException {
        return new PatOwner(rs.getString("owner_issuer"), rs.getString("owner_subject"), rs.getString("organization"));
    }

    /**
     * Marks {@code id} revoked unless it already is, and appends it to {@code revocations} under the
     * next database-assigned number; whether this call revoked it. Run in a transaction: the counter
     * row stays locked until commit, so numbers are taken in commit order.
     */
    static boolean revoke(Handle handle, String id, Instant at, String by) {
        boolean revoked = handle.createUpdate("""
                        UPDATE personal_access_tokens SET revoked_at = :at, revoked_by = :by
                        WHERE id = :id AND revoked_at IS NULL""")
                .bind("at", at.toEpochMilli())
                .bind("by", by)
                .bind("id", id)
                .execute() == 1;
        if (revoked) {
            handle.execute("UPDATE revocation_counter SET value = value + 1 WHERE id = 1");
            handle.createUpdate("""
                            INSERT INTO revocations (seq, token_id, expires_at)
                            SELECT c.value, t.id, t.expires_at FROM revocation_counter c, personal_access_tokens t
                            WHERE c.id = 1 AND t.id = :id""")
                    .bind("id", id)
                    .execute();
        }
        return revoked;
    }

    /** One batched UPDATE per call; never moves {@code last_used_at} backwards. */
    static void updateLastUsed(Handle handle, Map<String, Long> lastUses) {
        PreparedBatch batch = handle.prepareBatch("""
                UPDATE personal_access_tokens SET last_used_at = :at
                WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :at)""");
        lastUses.forEach((id, at) -> batch.bind("id", id).bind("at", at).add());
        batch.execute();
    }

    private static PatRecord record(ResultSet rs) throws SQLException {
        return new PatRecord(
                rs.getString("id"),
                rs.getString("owner_subject"),
                rs.getString("owner_issuer"),
                rs.getString("organization"),
                rs.getString("name"),
                rs.getString("audience"),
                new JsonArray(rs.getString("capabilities")).stream().map(String::valueOf).toList(),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("expires_at")),
                optionalInstant(rs, "revoked_at"),
                Optional.ofNullable(rs.getString("revoked_by")),
                optionalInstant(rs, "last_used_at"));
    }

    private static Optional<Instant> optionalInstant(ResultSet rs, String column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    }
}
