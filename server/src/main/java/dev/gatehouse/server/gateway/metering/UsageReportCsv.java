package dev.gatehouse.server.gateway.metering;

import dev.gatehouse.server.gateway.metering.UsageReport.Group;
import dev.gatehouse.server.gateway.metering.UsageReport.Totals;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A usage report as CSV (RFC 4180, CRLF line ends, text fields through {@link CsvField}): a header
 * of the grouped dimensions then {@value #TOTALS}, one line per group, an absent value empty.
 * Stateless.
 */
final class UsageReportCsv {
    static final String CONTENT_TYPE = "text/csv; charset=utf-8";
    static final String TOTALS = "requests,prompt_tokens,completion_tokens,total_tokens,spend_micros";

    private UsageReportCsv() {}

    static String of(UsageQuery query, UsageReport report) {
        StringBuilder csv = new StringBuilder();
        for (UsageDimension dimension : query.groupBy()) {
            csv.append(dimension.apiName()).append(',');
        }
        csv.append(TOTALS).append("\r\n");
        for (Group group : report.groups()) {
            List<String> fields = new ArrayList<>();
            for (UsageDimension dimension : query.groupBy()) {
                String value = group.key().get(dimension);
                fields.add(value == null ? "" : CsvField.of(value));
            }
            Totals total = group.total();
            fields.add(Long.toString(total.requests()));
            fields.add(Long.toString(total.promptTokens()));
            fields.add(Long.toString(total.completionTokens()));
            fields.add(Long.toString(total.totalTokens()));
            fields.add(Long.toString(total.spendMicros()));
            csv.append(String.join(",", fields)).append("\r\n");
        }
        return csv.toString();
    }

    /** {@code usage-<from day>-<to day>.csv}, the UTC days of the range's ends. */
    static String fileName(UsageQuery query) {
        return "usage-" + query.from().atOffset(ZoneOffset.UTC).toLocalDate() + "-"
                + query.to().atOffset(ZoneOffset.UTC).toLocalDate() + ".csv";
    }
}
