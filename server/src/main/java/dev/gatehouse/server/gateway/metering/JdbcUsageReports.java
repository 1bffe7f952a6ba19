package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.metering.UsageReport.Group;
import dev.gatehouse.server.gateway.metering.UsageReport.Totals;
import dev.gatehouse.server.store.Database;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.statement.Query;

/**
 * Sums the {@code usage_records} table: one {@code GROUP BY} query over the time range (served by
 * the {@code occurred_at} and {@code (organization, occurred_at)} indexes). Thread-safe; blocking.
 */
public final class JdbcUsageReports {
    private static final Comparator<String> NULLS_FIRST = Comparator.nullsFirst(Comparator.naturalOrder());

    private final Database database;

    public JdbcUsageReports(Database database) {
        this.database = requireNonNull(database, "database");
    }

    /** The report for a query; blocks for one query. */
    public UsageReport report(UsageQuery query) {
        requireNonNull(query, "query");
        List<UsageDimension> groupBy = query.groupBy();
        Map<UsageDimension, String> filters = query.orderedFilters();
        StringBuilder selected = new StringBuilder();
        StringBuilder dims = new StringBuilder();
        for (UsageDimension dimension : groupBy) {
            selected.append(dimension.selected()).append(", ");
            dims.append(dimension.resultName()).append(", ");
        }
        StringBuilder ordered = new StringBuilder(groupBy.contains(UsageDimension.DAY)
                ? UsageDimension.DAY.resultName() + ", " : "");
        groupBy.stream().filter(dimension -> dimension != UsageDimension.DAY)
                .forEach(dimension -> ordered.append(dimension.resultName()).append(", "));
        StringBuilder sql = new StringBuilder("SELECT ").append(selected)
                .append("outcome, COUNT(*) AS requests, SUM(prompt_tokens) AS prompt_tokens,"
                        + " SUM(completion_tokens) AS completion_tokens, SUM(spend_micros) AS spend_micros FROM usage_records"
                        + " WHERE occurred_at >= :from AND occurred_at < :to");
        filters.keySet().forEach(dimension -> sql.append(" AND ").append(dimension.column())
                .append(" = :f_").append(dimension.column()));
        sql.append(" GROUP BY ").append(dims).append("outcome")
                .append(" ORDER BY ").append(ordered).append("outcome")
                .append(" LIMIT ").append(UsageReport.MAX_GROUPS * Outcome.values().length + 1);

        record Row(List<String> key, Outcome outcome, Totals totals) {}
        List<Row> rows = database.jdbi().withHandle(handle -> {
            Query select = handle.createQuery(sql.toString())
                    .bind("from", query.from().toEpochMilli())
                    .bind("to", query.to().toEpochMilli());
            filters.forEach((dimension, value) -> select.bind("f_" + dimension.column(), value));
            return select.map((rs, ctx) -> {
                List<String> key = new ArrayList<>(groupBy.size());
                for (UsageDimension dimension : groupBy) {
                    key.add(dimension.read(rs));
                }
                return new Row(key, Outcome.fromValue(rs.getString("outcome")),
                        new Totals(rs.getLong("requests"), rs.getLong("prompt_tokens"), rs.getLong("completion_tokens"),
                                rs.getLong("spend_micros")));
            }).list();
        });

        Map<List<String>, Map<Outcome, Totals>> grouped = new LinkedHashMap<>();
        for (Row row : rows) {
            grouped.computeIfAbsent(row.key(), key -> new EnumMap<>(Outcome.class)).merge(row.outcome(), row.totals(),
                    Totals::plus);
        }
        List<List<String>> keys = new ArrayList<>(grouped.keySet());
        keys.sort(order(groupBy));
        boolean truncated = rows.size() > UsageReport.MAX_GROUPS * Outcome.values().length
                || keys.size() > UsageReport.MAX_GROUPS;
        List<Group> groups = new ArrayList<>();
        for (List<String> key : keys.subList(0, Math.min(keys.size(), UsageReport.MAX_GROUPS))) {
            Map<Outcome, Totals> byOutcome = new EnumMap<>(Outcome.class);
            Totals total = Totals.ZERO;
            for (Outcome outcome : Outcome.values()) {
                Totals totals = grouped.get(key).getOrDefault(outcome, Totals.ZERO);
                byOutcome.put(outcome, totals);
                total = total.plus(totals);
            }
            Map<UsageDimension, String> named = new LinkedHashMap<>();
            for (int i = 0; i < groupBy.size(); i++) {
                named.put(groupBy.get(i), key.get(i));
            }
            groups.add(new Group(named, total, byOutcome));
        }
        return new UsageReport(groups, truncated);
    }

    /** By day first when grouped by it, then by the dimensions in query order, absent values first. */
    private static Comparator<List<String>> order(List<UsageDimension> groupBy) {
        List<Integer> positions = new ArrayList<>();
        int day = groupBy.indexOf(UsageDimension.DAY);
        if (day >= 0) {
            positions.add(day);
        }
        for (int i = 0; i < groupBy.size(); i++) {
            if (i != day) {
                positions.add(i);
            }
        }
        return (a, b) -> {
            for (int i : positions) {
                int order = NULLS_FIRST.compare(a.get(i), b.get(i));
                if (order != 0) {
                    return order;
                }
            }
            return 0;
        };
    }
}
