package dev.gatehouse.server.gateway.metering;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the records of one spool segment ({@link SpoolFormat}) in order, from a given offset, in
 * batches; each batch says the offset just after it, where the next read resumes. Stops at the end
 * of the segment or before a torn or corrupt entry ({@link #tornBytes()} then says how many bytes
 * were left unread). Not thread-safe; close it.
 */
final class SpoolReader implements AutoCloseable {
    private final FileChannel channel;
    private final DataInputStream in;
    private final long size;
    private long offset;
    private boolean finished;

    private SpoolReader(FileChannel channel, DataInputStream in, long size, long offset) {
        this.channel = channel;
        this.in = in;
        this.size = size;
        this.offset = offset;
    }

    /**
     * Opens {@code segment} at {@code offset}: 0 for its beginning (the header is checked), or an
     * offset a previous batch ended at.
     *
     * @throws IOException if it cannot be read or its header is not a spool's
     */
    static SpoolReader open(Path segment, long offset) throws IOException {
        FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ);
        try {
            long size = channel.size();
            channel.position(offset);
            DataInputStream in = new DataInputStream(
                    new BufferedInputStream(Channels.newInputStream(channel), 64 * 1024));
            if (offset > 0) {
                return new SpoolReader(channel, in, size, offset);
            }
            byte[] header = new byte[SpoolFormat.HEADER.length];
            in.readFully(header);
            if (!Arrays.equals(header, SpoolFormat.HEADER)) {
                throw new IOException(segment + ": not a usage spool segment (header)");
            }
            return new SpoolReader(channel, in, size, header.length);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Up to {@code max} more records; empty at the end of what is readable. */
    Batch next(int max) throws IOException {
        List<UsageRecord> records = new ArrayList<>(Math.min(max, 1024));
        while (!finished && records.size() < max) {
            UsageRecord record = readOne();
            if (record != null) {
                records.add(record);
            }
        }
        return new Batch(records, offset);
    }

    /** Bytes after the last intact entry that could not be read (a torn or corrupt tail); 0 at a clean end. */
    long tornBytes() {
        return finished ? size - offset : 0;
    }

    private UsageRecord readOne() throws IOException {
        if (size - offset < SpoolFormat.ENTRY_OVERHEAD) {
            finished = true;
            return null;
        }
        int length = in.readInt();
        int checksum = in.readInt();
        if (length < 0 || length > SpoolFormat.MAX_ENTRY_BYTES || length > size - offset - SpoolFormat.ENTRY_OVERHEAD) {
            finished = true;
            return null;
        }
        byte[] body = new byte[length];
        try {
            in.readFully(body);
        } catch (EOFException e) {
            finished = true;
            return null;
        }
        if (!SpoolFormat.intact(body, checksum)) {
            finished = true;
            return null;
        }
        UsageRecord record = SpoolFormat.decode(body);
        offset += SpoolFormat.ENTRY_OVERHEAD + length;
        return record;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /**
     * @param records in the order they were spooled
     * @param endOffset where the segment's next entry starts
     */
    record Batch(List<UsageRecord> records, long endOffset) {
        Batch {
            records = List.copyOf(records);
        }
    }
}
