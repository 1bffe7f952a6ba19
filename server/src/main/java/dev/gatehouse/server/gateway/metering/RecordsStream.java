package dev.gatehouse.server.gateway.metering;

import dev.gatehouse.server.gateway.metering.JdbcUsageRecords.PageEnd;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one page of {@code GET /admin/usage/records}: the page's end is found first (so that the
 * next cursor can go in the {@code X-Next-Cursor} header), then the records are read on a worker
 * {@value #CHUNK} at a time, each chunk read only once the previous one is written to the client:
 * memory stays at one chunk however large the page, and a slow client slows the reading. A store
 * failure after the headers were sent resets the stream, so a client never takes a cut page for a
 * whole one. Used on the request's event loop only.
 */
final class RecordsStream {
    static final int CHUNK = 500;
    static final String NEXT_CURSOR = "X-Next-Cursor";
    private static final Logger log = LoggerFactory.getLogger(RecordsStream.class);

    private final RoutingContext ctx;
    private final JdbcUsageRecords records;
    private final UsageRecordsQuery query;
    private final ExportFormat format;
    private Optional<RecordCursor> after;
    private Optional<RecordCursor> through = Optional.empty();
    private int left;

    private RecordsStream(RoutingContext ctx, JdbcUsageRecords records, UsageRecordsQuery query, ExportFormat format) {
        this.ctx = ctx;
        this.records = records;
        this.query = query;
        this.format = format;
        this.after = query.after();
        this.left = query.limit();
    }

    static void start(RoutingContext ctx, JdbcUsageRecords records, UsageRecordsQuery query, ExportFormat format) {
        RecordsStream stream = new RecordsStream(ctx, records, query, format);
        ctx.vertx().executeBlocking(() -> records.pageEnd(query), false)
                .onSuccess(stream::begin)
                .onFailure(ctx::fail);
    }

    private void begin(PageEnd end) {
        through = end.last();
        HttpServerResponse response = ctx.response()
                .setChunked(true)
                .putHeader("Content-Type", format.contentType())
                .putHeader("Cache-Control", "no-store");
        if (end.more()) {
            response.putHeader(NEXT_CURSOR, end.last().orElseThrow().encode());
        }
        String header = format.header();
        if (header.isEmpty()) {
            next();
            return;
        }
        response.write(header).onSuccess(v -> next());
    }

    private void next() {
        int max = Math.min(CHUNK, left);
        ctx.vertx().executeBlocking(() -> records.read(query, after, through, max), false)
                .onSuccess(chunk -> write(chunk, max))
                .onFailure(this::fail);
    }

    private void write(List<StoredUsage> chunk, int max) {
        StringBuilder text = new StringBuilder();
        for (StoredUsage stored : chunk) {
            text.append(format.line(stored));
        }
        left -= chunk.size();
        if (!chunk.isEmpty()) {
            after = Optional.of(chunk.getLast().key());
        }
        Buffer buffer = Buffer.buffer(text.toString());
        if (chunk.size() < max || left == 0) {
            ctx.response().end(buffer);
            return;
        }
        // A failed write means the client left: nothing more to send.
        ctx.response().write(buffer).onSuccess(v -> next());
    }

    private void fail(Throwable failure) {
        log.atError().setCause(failure).log("reading usage records for an export failed; resetting the stream");
        ctx.response().reset();
    }
}
