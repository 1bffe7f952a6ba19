package dev.gatehouse.server.gateway.metering;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Where a page of {@code GET /admin/usage/records} ended: the key {@code (occurred_at, id)} of its
 * last record; the next page starts after it. Shown to clients as an opaque base64url token so that
 * its shape can change without breaking them. Immutable.
 *
 * @param occurredAt the record's {@code occurred_at}, epoch milliseconds
 * @param id the record's number, unique in {@code usage_records}
 */
record RecordCursor(long occurredAt, long id) {
    private static final String VERSION = "r1";

    /** The opaque token. */
    String encode() {
        String plain = VERSION + ":" + occurredAt + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
    }

    /** The cursor a token from {@link #encode()} stands for; empty for anything else. */
    static Optional<RecordCursor> decode(String token) {
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String[] parts = plain.split(":", -1);
        if (parts.length != 3 || !parts[0].equals(VERSION)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RecordCursor(Long.parseLong(parts[1]), Long.parseLong(parts[2])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
