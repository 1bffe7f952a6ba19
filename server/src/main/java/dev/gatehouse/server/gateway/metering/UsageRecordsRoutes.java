package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.http.Shown;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /admin/usage/records?from=&to=&format=csv|ndjson&limit=&cursor=&<filters>}: the raw
 * usage records, a page at a time, for whoever presents the admin secret ({@link AdminAuth}).
 *
 * <ul>
 *   <li>{@code from}, {@code to} and the filters ({@value UsageDimension#FILTER_NAMES}): as in
 *       {@link UsageRoutes}.
 *   <li>{@code format}: required, {@code csv} or {@code ndjson} (see {@link ExportFormat}).
 *   <li>{@code limit}: records per page, 1..{@value UsageRecordsQuery#MAX_LIMIT}, default
 *       {@value UsageRecordsQuery#DEFAULT_LIMIT}.
 *   <li>{@code cursor}: the {@code X-Next-Cursor} of the previous page; the first page without it.
 * </ul>
 *
 * Records come in {@code (occurred_at, id)} order; a page that has a next one carries its cursor in
 * {@code X-Next-Cursor} (both formats), the last page has none. Parameter errors are 400 with
 * {@code unknown_parameter}, {@code missing_parameter} or {@code invalid_parameter}, before any query.
 */
public final class UsageRecordsRoutes implements Routes {
    private static final Set<String> PARAMETERS = UsageParameters.names("format", "limit", "cursor");

    private final AdminAuth admin;
    private final JdbcUsageRecords records;

    public UsageRecordsRoutes(AdminAuth admin, JdbcUsageRecords records) {
        this.admin = requireNonNull(admin, "admin");
        this.records = requireNonNull(records, "records");
    }

    @Override
    public void register(Router router) {
        router.get("/admin/usage/records").handler(admin).handler(this::export);
    }

    /** A parsed request: which page, in which format. */
    record Export(UsageRecordsQuery query, ExportFormat format) {}

    private void export(RoutingContext ctx) {
        Export export = parse(ctx.queryParams());
        RecordsStream.start(ctx, records, export.query(), export.format());
    }

    static Export parse(MultiMap params) {
        UsageParameters.check(params, PARAMETERS);
        UsageParameters.Range range = UsageParameters.range(params);
        ExportFormat format = format(params);
        return new Export(new UsageRecordsQuery(range.from(), range.to(), UsageParameters.filters(params),
                cursor(params), limit(params)), format);
    }

    private static ExportFormat format(MultiMap params) {
        String name = params.get("format");
        if (name == null) {
            throw ApiException.badRequest("missing_parameter", "format: missing (expected: csv or ndjson)");
        }
        return ExportFormat.fromApiName(name).orElseThrow(() -> ApiException.badRequest("invalid_parameter",
                "format: " + Shown.quote(name) + " (expected: csv or ndjson)"));
    }

    private static int limit(MultiMap params) {
        String text = params.get("limit");
        if (text == null) {
            return UsageRecordsQuery.DEFAULT_LIMIT;
        }
        String expected = " (expected: an integer from 1 to " + UsageRecordsQuery.MAX_LIMIT + ")";
        int limit;
        try {
            limit = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid_parameter", "limit: " + Shown.quote(text) + expected);
        }
        if (limit < 1 || limit > UsageRecordsQuery.MAX_LIMIT) {
            throw ApiException.badRequest("invalid_parameter", "limit: " + limit + expected);
        }
        return limit;
    }

    private static Optional<RecordCursor> cursor(MultiMap params) {
        String token = params.get("cursor");
        if (token == null) {
            return Optional.empty();
        }
        return Optional.of(RecordCursor.decode(token).orElseThrow(() -> ApiException.badRequest("invalid_parameter",
                "cursor: not a cursor this API gave (expected: the X-Next-Cursor header of the previous page)")));
    }
}
