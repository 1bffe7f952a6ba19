package dev.gatehouse.server.gateway.metering;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Inserts usage records into {@code usage_records}, as one JDBC batch in the caller's transaction.
 * Plain JDBC binding: it runs for every request the gateway serves, and JDBI's named binding costs
 * more than the insert. Stateless.
 */
final class UsageRows {
    private static final String INSERT = """
            INSERT INTO usage_records (occurred_at, request_id, organization, user_id, sandbox, token_id, token_type,
                                       channel, model, prompt_tokens, completion_tokens, outcome, status, duration_ms,
                                       spend_micros)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    private UsageRows() {}

    /** @throws IllegalStateException wrapping the {@link SQLException} if the batch fails */
    static void insert(Handle transaction, List<UsageRecord> records) {
        try (PreparedStatement insert = transaction.getConnection().prepareStatement(INSERT)) {
            for (UsageRecord usage : records) {
                Caller caller = usage.caller();
                insert.setLong(1, usage.at().toEpochMilli());
                insert.setString(2, usage.requestId());
                insert.setString(3, caller.organization());
                insert.setString(4, caller.user());
                insert.setString(5, caller.sandbox());
                insert.setString(6, caller.tokenId());
                insert.setString(7, caller.tokenType());
                insert.setString(8, usage.channel());
                insert.setString(9, usage.model());
                insert.setLong(10, usage.promptTokens());
                insert.setLong(11, usage.completionTokens());
                insert.setString(12, usage.outcome().value());
                insert.setInt(13, usage.status());
                insert.setLong(14, usage.durationMillis());
                insert.setLong(15, usage.spendMicros());
                insert.addBatch();
            }
            insert.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("inserting " + records.size() + " usage records failed: " + e.getMessage(), e);
        }
    }
}
