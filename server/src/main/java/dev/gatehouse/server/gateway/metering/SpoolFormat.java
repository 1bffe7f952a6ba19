package dev.gatehouse.server.gateway.metering;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.zip.CRC32C;

/**
 * The bytes of a spool segment: an 8-byte header ({@code GHUSPL01}), then one entry per record:
 * its length (4 bytes, big-endian), the CRC-32C of its body (4 bytes), and the body, the record as
 * a JSON object by field name ({@code at} as an ISO-8601 instant). A field the reader does not know
 * is ignored and a field it expects but does not find is left at its default (null, 0), so records
 * spooled by one version replay in the next after a field is added. A crash can leave a last entry
 * torn (short, or not matching its checksum): reading stops before it. Stateless.
 */
final class SpoolFormat {
    static final byte[] HEADER = "GHUSPL01".getBytes(StandardCharsets.US_ASCII);
    /** An entry longer than this is not one this code wrote: the rest of the segment is unreadable. */
    static final int MAX_ENTRY_BYTES = 1024 * 1024;
    static final int ENTRY_OVERHEAD = 8;

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .registerModule(new SimpleModule("spool-instants")
                    .addSerializer(Instant.class, new JsonSerializer<>() {
                        @Override
                        public void serialize(Instant value, JsonGenerator out, SerializerProvider provider)
                                throws IOException {
                            out.writeString(value.toString());
                        }
                    })
                    .addDeserializer(Instant.class, new JsonDeserializer<>() {
                        @Override
                        public Instant deserialize(JsonParser in, DeserializationContext context) throws IOException {
                            return Instant.parse(in.getValueAsString());
                        }
                    }));

    private SpoolFormat() {}

    /** One entry: length, checksum and body of {@code record}. */
    static byte[] entry(UsageRecord record) {
        byte[] body = encode(record);
        CRC32C crc = new CRC32C();
        crc.update(body);
        return ByteBuffer.allocate(ENTRY_OVERHEAD + body.length)
                .putInt(body.length).putInt((int) crc.getValue()).put(body).array();
    }

    static byte[] encode(UsageRecord record) {
        try {
            return JSON.writeValueAsBytes(record);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a usage record for the spool failed", e);
        }
    }

    /** @throws IOException if {@code body} is not a record's JSON */
    static UsageRecord decode(byte[] body) throws IOException {
        return JSON.readValue(body, UsageRecord.class);
    }

    /** Whether {@code body} matches the checksum stored with it. */
    static boolean intact(byte[] body, int checksum) {
        CRC32C crc = new CRC32C();
        crc.update(body);
        return (int) crc.getValue() == checksum;
    }
}
