package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

/**
 * A usage record as the store holds it: with its number. Immutable.
 *
 * @param id unique in {@code usage_records}, given in commit order
 * @param record the record
 */
record StoredUsage(long id, UsageRecord record) {
    StoredUsage {
        requireNonNull(record, "record");
    }

    /** Its key in the export's order. */
    RecordCursor key() {
        return new RecordCursor(record.at().toEpochMilli(), id);
    }
}
