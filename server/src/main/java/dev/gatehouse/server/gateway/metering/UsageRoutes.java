package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.http.Routes;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
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
 *       {@code model}: optional exact-match filters ({@code day} only groups).
 * </ul>
 *
 * Answers {@link UsageReportJson}'s shape, groups ordered by day first. Unknown, repeated, empty or malformed
 * parameters are 400 with code {@code unknown_parameter}, {@code missing_parameter} or
 * {@code invalid_parameter}. The query runs on a worker thread.
 */
public final class UsageRoutes implements Routes {
    private static final Set<String> PARAMETERS = UsageParameters.names("groupBy");

    private final AdminAuth admin;
    private final JdbcUsageReports reports;
    private final Optional<String> currency;

    /** @param currency {@code gateway.currency}, shown with the spend when set */
    public UsageRoutes(AdminAuth admin, JdbcUsageReports reports, Optional<String> currency) {
        this.admin = requireNonNull(admin, "admin");
        this.reports = requireNonNull(reports, "reports");
        this.currency = requireNonNull(currency, "currency");
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
                        .end(UsageReportJson.of(query, report, currency).toBuffer()))
                .onFailure(ctx::fail);
    }

    static UsageQuery query(MultiMap params) {
        UsageParameters.check(params, PARAMETERS);
        UsageParameters.Range range = UsageParameters.range(params);
        List<UsageDimension> groupBy = UsageParameters.groupBy(params, EnumSet.allOf(UsageDimension.class), List.of());
        return new UsageQuery(range.from(), range.to(), groupBy, UsageParameters.filters(params));
    }
}
