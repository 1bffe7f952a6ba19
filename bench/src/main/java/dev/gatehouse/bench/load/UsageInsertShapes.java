package dev.gatehouse.bench.load;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a usage row costs to insert, one row per statement against {@code --rows-per-statement} rows
 * per statement and the rest of the batch in one more (the shape {@code UsageRows} uses),
 * alternated round after round on one database: batches of {@code --batch} rows, one transaction
 * each, into a scratch table shaped like {@code usage_records} (its columns, checks and indexes;
 * SQLite in WAL mode with {@code synchronous=NORMAL}, as Gatehouse runs it). Prints microseconds of
 * wall time per row for each shape and round; on SQLite that is the writer thread's CPU, on
 * PostgreSQL the round trips and the server's work too.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar dev.gatehouse.bench.load.UsageInsertShapes \
 *     --url jdbc:sqlite:/tmp/shapes.db --batch 600
 * java -cp bench/target/benchmarks.jar dev.gatehouse.bench.load.UsageInsertShapes \
 *     --url 'jdbc:postgresql://127.0.0.1:5432/test?user=postgres'
 * </pre>
 */
public final class UsageInsertShapes {
    private static final String TABLE = "bench_usage_insert_shapes";
    private static final int COLUMNS = 16;

    private UsageInsertShapes() {
    }

    public static void main(String[] argv) throws SQLException {
        Map<String, String> args = Args.parse(argv);
        String url = Args.stringArg(args, "url", "jdbc:sqlite:/tmp/usage-insert-shapes.db");
        int rounds = Args.intArg(args, "rounds", 4);
        int batch = Args.intArg(args, "batch", 512);
        int batches = Args.intArg(args, "batches", 200);
        int perStatement = Args.intArg(args, "rows-per-statement", 16);
        try (Connection connection = DriverManager.getConnection(url)) {
            if (url.startsWith("jdbc:sqlite:")) {
                try (Statement pragmas = connection.createStatement()) { // as Gatehouse's store runs SQLite
                    pragmas.execute("PRAGMA journal_mode = WAL");
                    pragmas.execute("PRAGMA synchronous = NORMAL");
                }
            }
            System.out.printf("%s: batches of %d rows, %d batches per run (after %d unmeasured)%n", url, batch, batches,
                    batches / 10);
            for (int round = 1; round <= rounds; round++) {
                for (int rows : new int[] {1, perStatement}) {
                    System.out.printf("round %d  %2d row(s) per statement  %6.2f us/row%n", round, rows,
                            run(connection, rows, batch, batches));
                }
            }
            try (Statement drop = connection.createStatement()) {
                drop.execute("DROP TABLE " + TABLE);
            }
        }
    }

    /** A fresh table, then {@code batches} timed batches after a tenth as many untimed ones; microseconds per row. */
    private static double run(Connection connection, int rowsPerStatement, int batch, int batches) throws SQLException {
        connection.setAutoCommit(true);
        try (Statement ddl = connection.createStatement()) {
            ddl.execute("DROP TABLE IF EXISTS " + TABLE);
            ddl.execute("CREATE TABLE " + TABLE + " (id BIGINT NOT NULL PRIMARY KEY, occurred_at BIGINT NOT NULL,"
                    + " request_id TEXT NULL, organization TEXT NOT NULL, user_id TEXT NULL, sandbox TEXT NULL,"
                    + " token_id TEXT NOT NULL, token_type TEXT NOT NULL, channel TEXT NULL, model TEXT NULL,"
                    + " prompt_tokens BIGINT NOT NULL CHECK (prompt_tokens >= 0),"
                    + " completion_tokens BIGINT NOT NULL CHECK (completion_tokens >= 0),"
                    + " outcome TEXT NOT NULL CHECK (outcome IN ('completed', 'aborted', 'failed')),"
                    + " status INTEGER NOT NULL, duration_ms BIGINT NOT NULL,"
                    + " spend_micros BIGINT NOT NULL DEFAULT 0 CHECK (spend_micros >= 0))");
            ddl.execute("CREATE INDEX " + TABLE + "_occurred_at ON " + TABLE + " (occurred_at, id)");
            ddl.execute("CREATE INDEX " + TABLE + "_organization ON " + TABLE + " (organization, occurred_at)");
            ddl.execute("CREATE INDEX " + TABLE + "_token ON " + TABLE + " (token_id, occurred_at)");
        }
        connection.setAutoCommit(false);
        int whole = batch - batch % rowsPerStatement;
        int warmUp = batches / 10;
        List<String> requestIds = new ArrayList<>(batch); // made before, not timed
        for (int i = 0; i < batch; i++) {
            requestIds.add(UUID.randomUUID().toString());
        }
        long id = 0;
        long started = 0;
        for (int b = 0; b < warmUp + batches; b++) {
            if (b == warmUp) {
                started = System.nanoTime();
            }
            try (PreparedStatement insert = connection.prepareStatement(insert(rowsPerStatement))) {
                for (int row = 0; row < whole; row++) {
                    bind(insert, (row % rowsPerStatement) * COLUMNS, ++id, requestIds.get(row));
                    if ((row + 1) % rowsPerStatement == 0) {
                        insert.addBatch();
                    }
                }
                insert.executeBatch();
            }
            if (whole < batch) { // the rest in one statement, as UsageRows does
                try (PreparedStatement rest = connection.prepareStatement(insert(batch - whole))) {
                    for (int row = whole; row < batch; row++) {
                        bind(rest, (row - whole) * COLUMNS, ++id, requestIds.get(row));
                    }
                    rest.executeUpdate();
                }
            }
            connection.commit();
        }
        return (System.nanoTime() - started) / 1e3 / ((double) batch * batches);
    }

    private static String insert(int rows) {
        String row = "(" + String.join(", ", Collections.nCopies(COLUMNS, "?")) + ")";
        return "INSERT INTO " + TABLE + " VALUES " + String.join(", ", Collections.nCopies(rows, row));
    }

    private static void bind(PreparedStatement insert, int offset, long id, String requestId) throws SQLException {
        insert.setLong(offset + 1, id);
        insert.setLong(offset + 2, 1_700_000_000_000L + id);
        insert.setString(offset + 3, requestId);
        insert.setString(offset + 4, "bench");
        insert.setString(offset + 5, "bench@bench.test");
        insert.setString(offset + 6, "sb-bench");
        insert.setString(offset + 7, "tok-0123456789");
        insert.setString(offset + 8, "sandbox");
        insert.setString(offset + 9, "bench");
        insert.setString(offset + 10, "bench");
        insert.setLong(offset + 11, 7);
        insert.setLong(offset + 12, 2);
        insert.setString(offset + 13, "completed");
        insert.setInt(offset + 14, 200);
        insert.setLong(offset + 15, 1);
        insert.setLong(offset + 16, 0);
    }
}
