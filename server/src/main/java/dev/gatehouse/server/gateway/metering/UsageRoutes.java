package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.gateway.metering.UsageReport.Group;
import dev.gatehouse.server.gateway.metering.UsageReport.Totals;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.Shown;
import dev.gatehouse.server.http.Routes;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /admin/usage?from=&to=&groupBy=&organization=&user=&sandbox=&token=&channel=&model=}:
 * summed gateway usage for whoever presents the admin secret ({@link AdminAuth}, constant-time).
 *
 * <ul>
 *   <li>{@code from}, {@code to}: required ISO-8601 instants, {@code from <= at < to}.
 *   <li>{@code groupBy}: optional comma-separated dimensions out of {@value UsageDimension#NAMES};
 *       without it, one group with the totals.
 *   <li>{@code organization}, {@code user}, {@code sandbox}, {@code token}, {@code channel},
 *       {@code model}: optional exact-match filters.
 * </ul>
 *
 * Answers {@code {"from","to","group_by":[...],"groups":[{<dimension>: value..., "requests",
 * "prompt_tokens", "completion_tokens", "total_tokens", "spend_micros", "by_outcome": {"completed": {...},
 * "aborted": {...}, "failed": {...}}}], "truncated"}}. Unknown, repeated, empty or malformed
 * parameters are 400 with code {@code unknown_parameter}, {@code missing_parameter} or
 * {@code invalid_parameter}. The query runs on a worker thread.
 */
public final class UsageRoutes implements Routes {
    private static final Set<String> PARAMETERS = UsageParameters.names("groupBy");

    private final AdminAuth admin;
    private final JdbcUsageReports reports;

    public UsageRoutes(AdminAuth admin, JdbcUsageReports reports) {
        this.admin = requireNonNull(admin, "admin");
        this.reports = requireNonNull(reports, "reports");
    }

    @Override
    public void register(Router router) {
        router.get("/admin/usage").handler(admin).handler(this::report);
    }

    private void report(RoutingContext ctx) {
        UsageQuery query = query(ctx.queryParams());
        ctx.vertx().executeBlocking(() -> reports.report(query), false)
                .onSuccess(report -> ctx.response()
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Cache-Control", "no-store")
                        .end(json(query, report).toBuffer()))
                .onFailure(ctx::fail);
    }

    static UsageQuery query(MultiMap params) {
        UsageParameters.check(params, PARAMETERS);
        UsageParameters.Range range = UsageParameters.range(params);
        List<UsageDimension> groupBy = new ArrayList<>();
        String groupByText = params.get("groupBy");
        if (groupByText != null) {
            for (String name : groupByText.split(",", -1)) {
                UsageDimension dimension = UsageDimension.fromApiName(name.strip()).orElseThrow(() ->
                        ApiException.badRequest("invalid_parameter", "groupBy: " + Shown.quote(name.strip())
                                + " is not a dimension (expected: a comma-separated list of "
                                + UsageDimension.NAMES + ")"));
                if (groupBy.contains(dimension)) {
                    throw ApiException.badRequest("invalid_parameter",
                            "groupBy: \"" + dimension.apiName() + "\" given twice (expected: once)");
                }
                groupBy.add(dimension);
            }
        }
        return new UsageQuery(range.from(), range.to(), groupBy, UsageParameters.filters(params));
    }

    static JsonObject json(UsageQuery query, UsageReport report) {
        JsonArray groups = new JsonArray();
        for (Group group : report.groups()) {
            JsonObject json = new JsonObject();
            group.key().forEach((dimension, value) -> json.put(dimension.apiName(), value));
            totals(json, group.total());
            JsonObject byOutcome = new JsonObject();
            group.byOutcome().forEach((outcome, totals) -> byOutcome.put(outcome.value(), totals(new JsonObject(), totals)));
            groups.add(json.put("by_outcome", byOutcome));
        }
        return new JsonObject()
                .put("from", query.from().toString())
                .put("to", query.to().toString())
                .put("group_by", new JsonArray(query.groupBy().stream().map(UsageDimension::apiName).toList()))
                .put("groups", groups)
                .put("truncated", report.truncated());
    }

    private static JsonObject totals(JsonObject json, Totals totals) {
        return json.put("requests", totals.requests())
                .put("prompt_tokens", totals.promptTokens())
                .put("completion_tokens", totals.completionTokens())
                .put("total_tokens", totals.totalTokens())
                .put("spend_micros", totals.spendMicros());
    }
}
