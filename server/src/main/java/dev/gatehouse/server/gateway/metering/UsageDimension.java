package dev.gatehouse.server.gateway.metering;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A dimension usage can be grouped by in the usage reports; all but {@link #DAY} can also filter
 * them. Values are text: {@link #DAY} is the UTC calendar day, {@code YYYY-MM-DD}.
 */
public enum UsageDimension {
    ORGANIZATION("organization", "organization"),
    USER("user", "user_id"),
    SANDBOX("sandbox", "sandbox"),
    TOKEN("token", "token_id"),
    CHANNEL("channel", "channel"),
    MODEL("model", "model"),
    // Integer division truncates toward zero on both SQLite and PostgreSQL; the CASE floors
    // instants before 1970 too, so that one portable expression gives the UTC day number.
    DAY("day", null, "(CASE WHEN occurred_at >= 0 THEN occurred_at / 86400000"
            + " ELSE (occurred_at + 1) / 86400000 - 1 END) AS usage_day", "usage_day");

    /** Every name {@code groupBy} accepts, comma-separated, in order. */
    public static final String NAMES = Arrays.stream(values()).map(UsageDimension::apiName)
            .collect(Collectors.joining(", "));
    /** The names that filter, comma-separated, in order. */
    public static final String FILTER_NAMES = Arrays.stream(values()).filter(UsageDimension::filters)
            .map(UsageDimension::apiName).collect(Collectors.joining(", "));

    private final String apiName;
    private final String column;
    private final String selected;
    private final String resultName;

    UsageDimension(String apiName, String column) {
        this(apiName, column, column, column);
    }

    UsageDimension(String apiName, String column, String selected, String resultName) {
        this.apiName = apiName;
        this.column = column;
        this.selected = selected;
        this.resultName = resultName;
    }

    /** The name in query parameters and JSON, e.g. {@code organization}. */
    public String apiName() {
        return apiName;
    }

    /** Whether the dimension can filter: it is a {@code usage_records} column. */
    public boolean filters() {
        return column != null;
    }

    /** The {@code usage_records} column a filter compares; a fixed identifier, never user input. */
    String column() {
        if (column == null) {
            throw new IllegalStateException(apiName + " is not a column");
        }
        return column;
    }

    /** What a grouping query selects; fixed SQL, never user input. */
    String selected() {
        return selected;
    }

    /** The name of the selected value, to group, order and read by. */
    String resultName() {
        return resultName;
    }

    /** The group's value in the current row of a query that selected {@link #selected()}. */
    String read(ResultSet rs) throws SQLException {
        if (this != DAY) {
            return rs.getString(resultName);
        }
        long day = rs.getLong(resultName);
        return rs.wasNull() ? null : LocalDate.ofEpochDay(day).toString();
    }

    /** The dimension of an API name. */
    public static Optional<UsageDimension> fromApiName(String name) {
        return Arrays.stream(values()).filter(dimension -> dimension.apiName.equals(name)).findFirst();
    }
}
