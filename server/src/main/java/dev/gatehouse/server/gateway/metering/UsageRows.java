package dev.gatehouse.server.gateway.metering;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.jdbi.v3.core.Handle;

/**
 * Inserts usage records into {@code usage_records} in the caller's transaction, numbered from
 * {@code usage_record_counter} (incremented once per batch; its row lock keeps concurrent batches of
 * other replicas apart until this transaction ends). Plain JDBC binding: it runs for every request
 * the gateway serves, and JDBI's named binding costs more than the insert.
 *
 * <p>Each slice of {@value #ROWS_PER_SLICE} rows is one multi-row {@code INSERT}, the rest of the
 * batch one more: a statement per row took twice as long on PostgreSQL and mostly 8–53 % longer on
 * SQLite (bench/README.md, run 20). The whole slices go as one JDBC batch and the rest as one
 * statement (on PostgreSQL a round trip each), unless the caller asks to yield the CPU between
 * slices. That is for SQLite, whose engine runs in this process on the cores that serve requests: a
 * flush of a few hundred rows is milliseconds of CPU (about 11 µs a row, measured), and an event
 * loop that the kernel wakes on this thread's core waits until it is done. Each slice then goes on
 * its own, with {@link Thread#yield()} after it: a waiting event loop runs first. It halved the
 * gateway's added p99 at c=1 in bench/README.md (run 15). Stateless.
 */
final class UsageRows {
    private static final String COLUMNS = """
            INSERT INTO usage_records (id, occurred_at, request_id, organization, user_id, sandbox, token_id, token_type,
                                       channel, model, prompt_tokens, completion_tokens, outcome, status, duration_ms,
                                       spend_micros)
            VALUES """;
    private static final int PARAMETERS_PER_ROW = 16;
    private static final String ROW = "(" + String.join(", ", Collections.nCopies(PARAMETERS_PER_ROW, "?")) + ")";
    private static final String RESERVE_IDS = "UPDATE usage_record_counter SET value = value + ? WHERE id = 1";
    private static final String LAST_ID = "SELECT value FROM usage_record_counter WHERE id = 1";

    static final int ROWS_PER_SLICE = 16;
    /** {@code INSERTS[n]}: one statement inserting {@code n} rows, {@code 1 <= n <= ROWS_PER_SLICE}. */
    private static final String[] INSERTS = new String[ROWS_PER_SLICE + 1];

    static {
        for (int rows = 1; rows <= ROWS_PER_SLICE; rows++) {
            INSERTS[rows] = COLUMNS + String.join(", ", Collections.nCopies(rows, ROW));
        }
    }

    private UsageRows() {}

    /**
     * @param yieldBetweenSlices asked after each slice of {@value #ROWS_PER_SLICE} rows but the last,
     *     for an engine in this process (SQLite): whether to yield the CPU before the next one. Pass
     *     {@code () -> false} to insert the batch in one go (an engine out of process, PostgreSQL: one
     *     round trip for the whole slices and one for the rest; or a writer that has to catch up).
     * @throws IllegalStateException wrapping the {@link SQLException} if the batch fails
     */
    static void insert(Handle transaction, List<UsageRecord> records, BooleanSupplier yieldBetweenSlices) {
        if (records.isEmpty()) {
            return;
        }
        Connection connection = transaction.getConnection();
        int size = records.size();
        int whole = size - size % ROWS_PER_SLICE;
        try {
            long firstId = reserveIds(connection, size);
            if (whole > 0) {
                try (PreparedStatement slices = connection.prepareStatement(INSERTS[ROWS_PER_SLICE])) {
                    for (int start = 0; start < whole; start += ROWS_PER_SLICE) {
                        bind(slices, firstId, records, start, ROWS_PER_SLICE);
                        slices.addBatch();
                        if (start + ROWS_PER_SLICE < size && yieldBetweenSlices.getAsBoolean()) {
                            slices.executeBatch();
                            Thread.yield();
                        }
                    }
                    slices.executeBatch();
                }
            }
            if (whole < size) {
                try (PreparedStatement rest = connection.prepareStatement(INSERTS[size - whole])) {
                    bind(rest, firstId, records, whole, size - whole);
                    rest.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("inserting " + size + " usage records failed: " + e.getMessage(), e);
        }
    }

    /** Binds {@code count} records from {@code start} on as the statement's rows, numbered from {@code firstId + start}. */
    private static void bind(PreparedStatement insert, long firstId, List<UsageRecord> records, int start, int count)
            throws SQLException {
        for (int row = 0; row < count; row++) {
            bind(insert, row * PARAMETERS_PER_ROW, firstId + start + row, records.get(start + row));
        }
    }

    private static void bind(PreparedStatement insert, int offset, long id, UsageRecord usage) throws SQLException {
        Caller caller = usage.caller();
        insert.setLong(offset + 1, id);
        insert.setLong(offset + 2, usage.at().toEpochMilli());
        insert.setString(offset + 3, usage.requestId());
        insert.setString(offset + 4, caller.organization());
        insert.setString(offset + 5, caller.user());
        insert.setString(offset + 6, caller.sandbox());
        insert.setString(offset + 7, caller.tokenId());
        insert.setString(offset + 8, caller.tokenType());
        insert.setString(offset + 9, usage.channel());
        insert.setString(offset + 10, usage.model());
        insert.setLong(offset + 11, usage.promptTokens());
        insert.setLong(offset + 12, usage.completionTokens());
        insert.setString(offset + 13, usage.outcome().value());
        insert.setInt(offset + 14, usage.status());
        insert.setLong(offset + 15, usage.durationMillis());
        insert.setLong(offset + 16, usage.spendMicros());
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
