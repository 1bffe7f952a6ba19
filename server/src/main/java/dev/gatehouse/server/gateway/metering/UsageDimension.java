package dev.gatehouse.server.gateway.metering;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** A dimension usage can be grouped and filtered by in {@code GET /admin/usage}. */
public enum UsageDimension {
    ORGANIZATION("organization", "organization"),
    USER("user", "user_id"),
    SANDBOX("sandbox", "sandbox"),
    TOKEN("token", "token_id"),
    CHANNEL("channel", "channel"),
    MODEL("model", "model");

    /** The names accepted by the API, comma-separated, in order. */
    public static final String NAMES = Arrays.stream(values()).map(UsageDimension::apiName)
            .collect(Collectors.joining(", "));

    private final String apiName;
    private final String column;

    UsageDimension(String apiName, String column) {
        this.apiName = apiName;
        this.column = column;
    }

    /** The name in query parameters and JSON, e.g. {@code organization}. */
    public String apiName() {
        return apiName;
    }

    /** The {@code usage_records} column; a fixed identifier, never user input. */
    String column() {
        return column;
    }

    /** The dimension of an API name. */
    public static Optional<UsageDimension> fromApiName(String name) {
        return Arrays.stream(values()).filter(dimension -> dimension.apiName.equals(name)).findFirst();
    }
}
