package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.BearerAuth;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.http.Shown;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/v1/usage?from=&to=&groupBy=&format=&scope=}: a member's own gateway usage, for a
 * session (a Keycloak access token or a local session).
 *
 * <ul>
 *   <li>Whose: the records of the session's organization whose user is the session's subject. The
 *       gateway records that subject for the member's PATs and sessions, and as the {@code user} of
 *       the tokens of the member's sandboxes, so all three count. {@code scope=organization}: every
 *       record of the organization, for a session with {@value #ORG_ADMIN} (403
 *       {@code capability_required} otherwise).
 *   <li>{@code from}, {@code to}: optional ISO-8601 instants, {@code from <= at < to}; {@code to}
 *       defaults to now, {@code from} to {@value #DEFAULT_DAYS} days before {@code to}; at most
 *       {@value #MAX_DAYS} days.
 *   <li>{@code groupBy}: comma-separated, out of {@code day} (UTC, {@code YYYY-MM-DD}),
 *       {@code sandbox} and {@code model}; default {@code day}.
 *   <li>{@code format}: {@code json} (default; {@link UsageReportJson}) or {@code csv}
 *       ({@link UsageReportCsv}, as an attachment; {@code X-Truncated: true} when groups were left off).
 * </ul>
 *
 * Groups come ordered by day, then by the other dimensions. Parameter errors are 400
 * ({@code unknown_parameter}, {@code invalid_parameter}) before any query; a session naming no
 * organization is 403 {@code organization_required}. The query runs on a worker thread.
 */
public final class MemberUsageRoutes implements Routes {
    public static final String PATH = "/api/v1/usage";
    static final String ORG_ADMIN = "org:admin";
    static final int DEFAULT_DAYS = 30;
    static final int MAX_DAYS = 366;
    private static final Set<String> PARAMETERS = Set.of("from", "to", "groupBy", "format", "scope");
    private static final Set<UsageDimension> GROUPS = EnumSet.of(UsageDimension.DAY, UsageDimension.MODEL,
            UsageDimension.SANDBOX);

    private final BearerAuth auth;
    private final JdbcUsageReports reports;
    private final Optional<String> currency;
    private final Clock clock;

    /**
     * @param callers verifies sessions
     * @param currency {@code gateway.currency}, shown with the spend when set
     */
    public MemberUsageRoutes(TokenVerifier callers, JdbcUsageReports reports, Optional<String> currency, Clock clock) {
        this.auth = new BearerAuth(requireNonNull(callers, "callers"), Set.of(TokenType.SESSION));
        this.reports = requireNonNull(reports, "reports");
        this.currency = requireNonNull(currency, "currency");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public void register(Router router) {
        router.get(PATH).handler(auth).handler(this::report);
    }

    /** A parsed request. */
    record Request(UsageQuery query, boolean csv) {}

    private void report(RoutingContext ctx) {
        Request request = parse(ctx.queryParams(), BearerAuth.claims(ctx), clock);
        UsageQuery query = request.query();
        ctx.vertx().executeBlocking(() -> reports.report(query), false)
                .onSuccess(report -> {
                    ctx.response().putHeader("Cache-Control", "no-store");
                    if (!request.csv()) {
                        ctx.response().putHeader("Content-Type", "application/json")
                                .end(UsageReportJson.of(query, report, currency).toBuffer());
                        return;
                    }
                    if (report.truncated()) {
                        ctx.response().putHeader("X-Truncated", "true");
                    }
                    ctx.response().putHeader("Content-Type", UsageReportCsv.CONTENT_TYPE)
                            .putHeader("Content-Disposition", "attachment; filename=\""
                                    + UsageReportCsv.fileName(query) + "\"")
                            .end(UsageReportCsv.of(query, report));
                })
                .onFailure(ctx::fail);
    }

    static Request parse(MultiMap params, Claims session, Clock clock) {
        UsageParameters.check(params, PARAMETERS);
        UsageParameters.Range range = UsageParameters.range(params, clock.instant(), Duration.ofDays(DEFAULT_DAYS),
                Duration.ofDays(MAX_DAYS));
        List<UsageDimension> groupBy = UsageParameters.groupBy(params, GROUPS, List.of(UsageDimension.DAY));
        boolean csv = csv(params);
        String organization = session.organization().orElseThrow(() -> new ApiException(403,
                "organization_required", "Your session names no organization; usage is kept per organization."));
        Map<UsageDimension, String> filters = new EnumMap<>(UsageDimension.class);
        filters.put(UsageDimension.ORGANIZATION, organization);
        if (!wholeOrganization(params, session, organization)) {
            filters.put(UsageDimension.USER, session.subject());
        }
        return new Request(new UsageQuery(range.from(), range.to(), groupBy, filters), csv);
    }

    private static boolean csv(MultiMap params) {
        String format = params.get("format");
        if (format == null || format.equals("json")) {
            return false;
        }
        if (format.equals("csv")) {
            return true;
        }
        throw ApiException.badRequest("invalid_parameter", "format: " + Shown.quote(format) + " (expected: json or csv)");
    }

    private static boolean wholeOrganization(MultiMap params, Claims session, String organization) {
        String scope = Optional.ofNullable(params.get("scope")).orElse("own");
        if (scope.equals("own")) {
            return false;
        }
        if (!scope.equals("organization")) {
            throw ApiException.badRequest("invalid_parameter", "scope: " + Shown.quote(scope)
                    + " (expected: own or organization)");
        }
        if (!session.hasCapability(ORG_ADMIN)) {
            throw new ApiException(403, "capability_required", "The usage of all of organization "
                    + Shown.quote(organization) + " needs the capability " + ORG_ADMIN + ".");
        }
        return true;
    }
}
