package dev.gatehouse.server.gateway.metering;

import io.vertx.core.json.JsonObject;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How {@code GET /admin/usage/records} writes records: the same columns, in the same order, in
 * either format. Stateless.
 */
enum ExportFormat {
    /**
     * RFC 4180: a header line, CRLF line ends, a field quoted when it holds a comma, a quote, CR or
     * LF (quotes doubled), an absent value empty. A text value starting with {@code = + - @}, tab or
     * CR is written with a leading {@code '} so that a spreadsheet shows it instead of evaluating it
     * as a formula; NDJSON has the values unchanged.
     */
    CSV("csv", "text/csv; charset=utf-8; header=present") {
        @Override
        String header() {
            return String.join(",", COLUMNS) + "\r\n";
        }

        @Override
        String line(StoredUsage stored) {
            List<String> fields = new ArrayList<>(COLUMNS.size());
            for (Object value : fields(stored)) {
                fields.add(value == null ? "" : value instanceof String text ? CsvField.of(text) : value.toString());
            }
            return String.join(",", fields) + "\r\n";
        }
    },
    /** One JSON object per line (LF), absent values {@code null}. */
    NDJSON("ndjson", "application/x-ndjson") {
        @Override
        String header() {
            return "";
        }

        @Override
        String line(StoredUsage stored) {
            JsonObject json = new JsonObject();
            List<Object> values = fields(stored);
            for (int i = 0; i < COLUMNS.size(); i++) {
                json.put(COLUMNS.get(i), values.get(i));
            }
            return json.encode() + "\n";
        }
    };

    static final List<String> COLUMNS = List.of("id", "occurred_at", "request_id", "organization", "user", "sandbox",
            "token", "token_type", "channel", "model", "outcome", "status", "prompt_tokens", "completion_tokens",
            "total_tokens", "spend_micros", "duration_ms");

    /** Always milliseconds, so that the text sorts as the instants do. */
    private static final DateTimeFormatter OCCURRED_AT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final String apiName;
    private final String contentType;

    ExportFormat(String apiName, String contentType) {
        this.apiName = apiName;
        this.contentType = contentType;
    }

    /** What precedes the first record. */
    abstract String header();

    /** One record, with its line end. */
    abstract String line(StoredUsage stored);

    String contentType() {
        return contentType;
    }

    /** The format named {@code name} in {@code ?format=}. */
    static Optional<ExportFormat> fromApiName(String name) {
        for (ExportFormat format : values()) {
            if (format.apiName.equals(name)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }

    /** The record's values in {@link #COLUMNS} order: text as {@link String}, numbers as {@link Long}. */
    private static List<Object> fields(StoredUsage stored) {
        UsageRecord record = stored.record();
        Caller caller = record.caller();
        return Arrays.asList(stored.id(), OCCURRED_AT.format(record.at()), record.requestId(), caller.organization(),
                caller.user(), caller.sandbox(), caller.tokenId(), caller.tokenType(), record.channel(), record.model(),
                record.outcome().value(), (long) record.status(), record.promptTokens(), record.completionTokens(),
                record.totalTokens(), record.spendMicros(), record.durationMillis());
    }
}
