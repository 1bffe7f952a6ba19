package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.store.Database;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.statement.Query;

/**
 * Reads raw {@code usage_records} for the export, by keyset on {@code (occurred_at, id)} (served by
 * the {@code (occurred_at, id)} index): never an offset into the result, so rows written while a
 * client pages neither shift nor repeat the pages it has. Thread-safe; blocking.
 */
public final class JdbcUsageRecords {
    private static final String COLUMNS = "id, occurred_at, request_id, organization, user_id, sandbox, token_id,"
            + " token_type, channel, model, prompt_tokens, completion_tokens, outcome, status, duration_ms, spend_micros";

    private final Database database;

    public JdbcUsageRecords(Database database) {
        this.database = requireNonNull(database, "database");
    }

    /**
     * Where a page ends.
     *
     * @param last the key of the page's last record, if the page is full
     * @param more whether a record follows it
     */
    record PageEnd(Optional<RecordCursor> last, boolean more) {}

    /** Finds the page's last record (the query's {@code limit}-th) and whether one follows; one query. */
    PageEnd pageEnd(UsageRecordsQuery query) {
        requireNonNull(query, "query");
        StringBuilder sql = new StringBuilder("SELECT occurred_at, id FROM usage_records");
        where(sql, query, query.after(), Optional.empty());
        sql.append(" ORDER BY occurred_at, id LIMIT 2 OFFSET :skip");
        List<RecordCursor> keys = database.jdbi().withHandle(handle -> {
            Query select = bind(handle.createQuery(sql.toString()), query, query.after(), Optional.empty())
                    .bind("skip", query.limit() - 1);
            return select.map((rs, ctx) -> new RecordCursor(rs.getLong("occurred_at"), rs.getLong("id"))).list();
        });
        return new PageEnd(keys.stream().findFirst(), keys.size() == 2);
    }

    /** At most {@code max} of the query's records after {@code after} and up to {@code through}, in order. */
    List<StoredUsage> read(UsageRecordsQuery query, Optional<RecordCursor> after, Optional<RecordCursor> through,
            int max) {
        requireNonNull(query, "query");
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM usage_records");
        where(sql, query, after, through);
        sql.append(" ORDER BY occurred_at, id LIMIT :max");
        return database.jdbi().withHandle(handle -> bind(handle.createQuery(sql.toString()), query, after, through)
                .bind("max", max)
                .map((rs, ctx) -> new StoredUsage(rs.getLong("id"), new UsageRecord(
                        Instant.ofEpochMilli(rs.getLong("occurred_at")),
                        rs.getString("request_id"),
                        new Caller(rs.getString("organization"), rs.getString("user_id"), rs.getString("sandbox"),
                                rs.getString("token_id"), rs.getString("token_type")),
                        rs.getString("channel"),
                        rs.getString("model"),
                        rs.getLong("prompt_tokens"),
                        rs.getLong("completion_tokens"),
                        Outcome.fromValue(rs.getString("outcome")),
                        rs.getInt("status"),
                        rs.getLong("duration_ms"),
                        rs.getLong("spend_micros"))))
                .list());
    }

    private static void where(StringBuilder sql, UsageRecordsQuery query, Optional<RecordCursor> after,
            Optional<RecordCursor> through) {
        sql.append(" WHERE occurred_at >= :from AND occurred_at < :to");
        query.orderedFilters().keySet().forEach(dimension -> sql.append(" AND ").append(dimension.column())
                .append(" = :f_").append(dimension.column()));
        after.ifPresent(key -> sql.append(" AND (occurred_at, id) > (:after_at, :after_id)"));
        through.ifPresent(key -> sql.append(" AND (occurred_at, id) <= (:through_at, :through_id)"));
    }

    private static Query bind(Query select, UsageRecordsQuery query, Optional<RecordCursor> after,
            Optional<RecordCursor> through) {
        select.bind("from", query.from().toEpochMilli()).bind("to", query.to().toEpochMilli());
        for (Map.Entry<UsageDimension, String> filter : query.orderedFilters().entrySet()) {
            select.bind("f_" + filter.getKey().column(), filter.getValue());
        }
        after.ifPresent(key -> select.bind("after_at", key.occurredAt()).bind("after_id", key.id()));
        through.ifPresent(key -> select.bind("through_at", key.occurredAt()).bind("through_id", key.id()));
        return select;
    }
}
