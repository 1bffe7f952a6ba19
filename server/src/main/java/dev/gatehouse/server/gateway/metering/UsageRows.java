package dev.gatehouse.server.gateway.metering;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.jdbi.v3.core.Handle;

/**
 * Inserts usage records into {@code usage_records} in the caller's transaction, numbered from
 * {@code usage_record_counter} (incremented once per batch; its row lock keeps concurrent batches of
 * other replicas apart until this transaction ends). Plain JDBC binding: it runs for every request
 * the gateway serves, and JDBI's named binding costs more than the insert.
 *
 * <p>The rows go as one JDBC batch (on PostgreSQL one round trip), unless the caller asks to yield
 * the CPU between slices of {@value #ROWS_PER_SLICE} rows. That is for SQLite, whose engine runs in
 * this process on the cores that serve requests: a flush of a few hundred rows is milliseconds of
 * CPU (about 11 µs a row, measured), and an event loop that the kernel wakes on this thread's core
 * waits until it is done. Each slice then goes as a batch of its own, with {@link Thread#yield()}
 * after it: a waiting event loop runs first. It halved the gateway's added p99 at c=1 in
 * bench/README.md (run 15). Stateless.
 */
final class UsageRows {
    private static final String INSERT = """
            INSERT INTO usage_records (id, occurred_at, request_id, organization, user_id, sandbox, token_id, token_type,
                                       channel, model, prompt_tokens, completion_tokens, outcome, status, duration_ms,
                                       spend_micros)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
    private static final String RESERVE_IDS = "UPDATE usage_record_counter SET value = value + ? WHERE id = 1";
    private static final String LAST_ID = "SELECT value FROM usage_record_counter WHERE id = 1";

    static final int ROWS_PER_SLICE = 16;

    private UsageRows() {}

    /**
     * @param yieldBetweenSlices asked after each slice of {@value #ROWS_PER_SLICE} rows but the last,
     *     for an engine in this process (SQLite): whether to yield the CPU before the next one. Pass
     *     {@code () -> false} to insert the batch in one go (an engine out of process, PostgreSQL: one
     *     round trip; or a writer that has to catch up).
     * @throws IllegalStateException wrapping the {@link SQLException} if the batch fails
     */
    static void insert(Handle transaction, List<UsageRecord> records, BooleanSupplier yieldBetweenSlices) {
        if (records.isEmpty()) {
            return;
        }
        Connection connection = transaction.getConnection();
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            long id = reserveIds(connection, records.size());
            for (int row = 1; row <= records.size(); row++) {
                bind(insert, id++, records.get(row - 1));
                insert.addBatch();
                if (row % ROWS_PER_SLICE == 0 && row < records.size() && yieldBetweenSlices.getAsBoolean()) {
                    insert.executeBatch();
                    Thread.yield();
                }
            }
            insert.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("inserting " + records.size() + " usage records failed: " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement insert, long id, UsageRecord usage) throws SQLException {
        Caller caller = usage.caller();
        insert.setLong(1, id);
        insert.setLong(2, usage.at().toEpochMilli());
        insert.setString(3, usage.requestId());
        insert.setString(4, caller.organization());
        insert.setString(5, caller.user());
        insert.setString(6, caller.sandbox());
        insert.setString(7, caller.tokenId());
        insert.setString(8, caller.tokenType());
        insert.setString(9, usage.channel());
        insert.setString(10, usage.model());
        insert.setLong(11, usage.promptTokens());
        insert.setLong(12, usage.completionTokens());
        insert.setString(13, usage.outcome().value());
        insert.setInt(14, usage.status());
        insert.setLong(15, usage.durationMillis());
        insert.setLong(16, usage.spendMicros());
    }

    /** Takes {@code count} numbers from the counter; returns the first. */
    private static long reserveIds(Connection connection, int count) throws SQLException {
        try (PreparedStatement reserve = connection.prepareStatement(RESERVE_IDS)) {
            reserve.setLong(1, count);
            if (reserve.executeUpdate() != 1) {
                throw new SQLException("usage_record_counter has no row (expected: the one migration V13 made)");
            }
        }
        try (PreparedStatement last = connection.prepareStatement(LAST_ID); ResultSet rs = last.executeQuery()) {
            rs.next();
            return rs.getLong(1) - count + 1;
        }
    }
}
