package dev.gatehouse.server.audit;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.audit.AuditEvent.Outcome;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.store.Database;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.SqlStatement;

/** {@link AuditLog} in the {@code audit_events} table of the Gatehouse store. Thread-safe; blocking. */
public final class JdbcAuditLog implements AuditLog {
    private static final String INSERT = """
            INSERT INTO audit_events (id, occurred_at, actor_subject, actor_issuer, actor_client,
                                      actor_on_behalf_of, organization, action, target, source_ip,
                                      request_id, outcome, detail)
            VALUES (:id, :occurredAt, :actorSubject, :actorIssuer, :actorClient, :actorOnBehalfOf,
                    :organization, :action, :target, :sourceIp, :requestId, :outcome, :detail)""";

    private final Database database;

    public JdbcAuditLog(Database database) {
        this.database = requireNonNull(database, "database");
    }

    @Override
    public void record(AuditEvent event) {
        requireNonNull(event, "event");
        database.jdbi().useTransaction(handle -> record(handle, event));
    }

    @Override
    public void record(Handle transaction, AuditEvent event) {
        requireNonNull(transaction, "transaction");
        requireNonNull(event, "event");
        bind(transaction.createUpdate(INSERT), event).execute();
    }

    @Override
    public void recordAll(Handle transaction, List<AuditEvent> events) {
        requireNonNull(transaction, "transaction");
        requireNonNull(events, "events");
        if (events.isEmpty()) {
            return;
        }
        PreparedBatch batch = transaction.prepareBatch(INSERT);
        events.forEach(event -> bind(batch, requireNonNull(event, "event")).add());
        batch.execute();
    }

    private static <S extends SqlStatement<S>> S bind(S statement, AuditEvent event) {
        return statement
                .bind("id", event.id())
                .bind("occurredAt", event.occurredAt().toEpochMilli())
                .bind("actorSubject", event.actor().subject())
                .bind("actorIssuer", event.actor().issuer())
                .bind("actorClient", event.actor().client().orElse(null))
                .bind("actorOnBehalfOf", event.actor().onBehalfOf().orElse(null))
                .bind("organization", event.organization().orElse(null))
                .bind("action", event.action())
                .bind("target", event.target().orElse(null))
                .bind("sourceIp", event.origin().sourceIp().orElse(null))
                .bind("requestId", event.origin().requestId().orElse(null))
                .bind("outcome", event.outcome().value())
                .bind("detail", new JsonObject(event.detail()).encode());
    }

    @Override
    public List<AuditEvent> find(AuditQuery query) {
        requireNonNull(query, "query");
        StringBuilder sql = new StringBuilder("SELECT * FROM audit_events WHERE 1 = 1");
        query.since().ifPresent(since -> sql.append(" AND occurred_at >= :since"));
        query.until().ifPresent(until -> sql.append(" AND occurred_at < :until"));
        query.action().ifPresent(action -> sql.append(" AND action = :action"));
        query.actor().ifPresent(actor -> sql.append(" AND actor_subject = :actor"));
        query.organization().ifPresent(organization -> sql.append(" AND organization = :organization"));
        sql.append(" ORDER BY occurred_at DESC, id DESC LIMIT :limit");
        return database.jdbi().withHandle(handle -> {
            Query select = handle.createQuery(sql.toString()).bind("limit", query.limit());
            query.since().ifPresent(since -> select.bind("since", since.toEpochMilli()));
            query.until().ifPresent(until -> select.bind("until", until.toEpochMilli()));
            query.action().ifPresent(action -> select.bind("action", action));
            query.actor().ifPresent(actor -> select.bind("actor", actor));
            query.organization().ifPresent(organization -> select.bind("organization", organization));
            return select.map((rs, ctx) -> event(rs)).list();
        });
    }

    private static AuditEvent event(ResultSet rs) throws SQLException {
        return new AuditEvent(
                rs.getString("id"),
                Instant.ofEpochMilli(rs.getLong("occurred_at")),
                new Actor(rs.getString("actor_subject"), rs.getString("actor_issuer"),
                        Optional.ofNullable(rs.getString("actor_client")),
                        Optional.ofNullable(rs.getString("actor_on_behalf_of"))),
                Optional.ofNullable(rs.getString("organization")),
                rs.getString("action"),
                Optional.ofNullable(rs.getString("target")),
                new RequestOrigin(Optional.ofNullable(rs.getString("source_ip")),
                        Optional.ofNullable(rs.getString("request_id"))),
                Outcome.fromValue(rs.getString("outcome")),
                plain(new JsonObject(rs.getString("detail"))));
    }

    /** The JSON object as plain maps and lists, without null values. */
    private static Map<String, Object> plain(JsonObject object) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String name : object.fieldNames()) {
            Object value = plainValue(object.getValue(name));
            if (value != null) {
                map.put(name, value);
            }
        }
        return map;
    }

    private static Object plainValue(Object value) {
        if (value instanceof JsonObject object) {
            return plain(object);
        }
        if (value instanceof JsonArray array) {
            List<Object> list = new ArrayList<>(array.size());
            for (Object item : array) {
                list.add(plainValue(item));
            }
            return list;
        }
        return value;
    }
}
