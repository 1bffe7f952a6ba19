package dev.gatehouse.server.gateway.metering;

import dev.gatehouse.server.gateway.metering.UsageReport.Group;
import dev.gatehouse.server.gateway.metering.UsageReport.Totals;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * A usage report as the usage routes answer it: {@code {"from","to","group_by":[...],"groups":[{<dimension>:
 * value..., "requests", "prompt_tokens", "completion_tokens", "total_tokens", "spend_micros", "by_outcome":
 * {"completed": {...}, "aborted": {...}, "failed": {...}}}], "truncated"}}, plus {@code "currency"}
 * when spend has one. Absent values are {@code null}. Stateless.
 */
final class UsageReportJson {
    private UsageReportJson() {}

    static JsonObject of(UsageQuery query, UsageReport report, Optional<String> currency) {
        JsonArray groups = new JsonArray();
        for (Group group : report.groups()) {
            JsonObject json = new JsonObject();
            group.key().forEach((dimension, value) -> json.put(dimension.apiName(), value));
            totals(json, group.total());
            JsonObject byOutcome = new JsonObject();
            group.byOutcome().forEach((outcome, totals) -> byOutcome.put(outcome.value(), totals(new JsonObject(), totals)));
            groups.add(json.put("by_outcome", byOutcome));
        }
        JsonObject json = new JsonObject()
                .put("from", query.from().toString())
                .put("to", query.to().toString())
                .put("group_by", new JsonArray(query.groupBy().stream().map(UsageDimension::apiName).toList()));
        currency.ifPresent(code -> json.put("currency", code));
        return json.put("groups", groups).put("truncated", report.truncated());
    }

    private static JsonObject totals(JsonObject json, Totals totals) {
        return json.put("requests", totals.requests())
                .put("prompt_tokens", totals.promptTokens())
                .put("completion_tokens", totals.completionTokens())
                .put("total_tokens", totals.totalTokens())
                .put("spend_micros", totals.spendMicros());
    }
}
