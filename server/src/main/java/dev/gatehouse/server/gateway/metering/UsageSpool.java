package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Usage records kept on local disk while the store cannot take them: append-only segment files
 * ({@link SpoolFormat}) in one directory, each named {@code usage-<millis>-<random>.spool} so that
 * names sort by age and never repeat, on any replica. {@link #append} writes a whole batch and
 * fsyncs once (group commit): when it returns, the records survive a crash of the process or the
 * machine. Segments are sealed (no longer appended to) by {@link #seal()} or when they reach
 * {@value #SEGMENT_BYTES} bytes, and deleted once replayed ({@link SpoolReplayer}). Segments found
 * at start-up are sealed ones from an earlier run.
 *
 * <p>The spool holds at most {@code maxBytes}: {@link #append} takes only the records that fit.
 * Thread-safe.
 */
final class UsageSpool implements AutoCloseable {
    static final String SUFFIX = ".spool";
    static final long SEGMENT_BYTES = 64L * 1024 * 1024;

    private final Path directory;
    private final long maxBytes;
    private final List<Path> sealed = new ArrayList<>();
    private FileChannel active;
    private Path activePath;
    private long activeBytes;
    private long bytes;

    private UsageSpool(Path directory, long maxBytes) {
        this.directory = directory;
        this.maxBytes = maxBytes;
    }

    /**
     * Opens the spool in {@code directory}, creating it if needed.
     *
     * @throws UncheckedIOException if the directory cannot be created or listed
     */
    static UsageSpool open(Path directory, long maxBytes) {
        requireNonNull(directory, "directory");
        UsageSpool spool = new UsageSpool(directory, maxBytes);
        try {
            Files.createDirectories(directory);
            try (Stream<Path> files = Files.list(directory)) {
                for (Path segment : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().toList()) {
                    spool.sealed.add(segment);
                    spool.bytes += Files.size(segment);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("gateway.usage.spoolDir: cannot use " + directory + ": " + e.getMessage(), e);
        }
        return spool;
    }

    /**
     * Appends as many of {@code records}, in order, as fit within the size limit, and fsyncs them.
     *
     * @return how many were appended (the first ones); the rest did not fit
     * @throws UncheckedIOException if writing or syncing failed (then none of them count as spooled)
     */
    synchronized int append(List<UsageRecord> records) {
        long room = maxBytes - bytes - headerIfNew();
        ByteArrayOutputStream entries = new ByteArrayOutputStream(records.size() * 320);
        int taken = 0;
        for (UsageRecord record : records) {
            byte[] entry = SpoolFormat.entry(record);
            if (entries.size() + entry.length > room) {
                break;
            }
            entries.writeBytes(entry);
            taken++;
        }
        if (taken == 0) {
            return 0;
        }
        try {
            if (active == null || activeBytes >= SEGMENT_BYTES) {
                startSegment();
            }
            ByteBuffer buffer = ByteBuffer.wrap(entries.toByteArray());
            while (buffer.hasRemaining()) {
                active.write(buffer);
            }
            active.force(false);
            activeBytes += entries.size();
            bytes += entries.size();
            return taken;
        } catch (IOException e) {
            Path failed = activePath;
            closeActive();
            throw new UncheckedIOException("usage spool: writing " + failed + " failed: " + e.getMessage(), e);
        }
    }

    /** Stops appending to the current segment; returns every sealed segment, oldest first. */
    synchronized List<Path> seal() {
        closeActive();
        return List.copyOf(sealed);
    }

    /** Whether the spool holds any segment (sealed or not). */
    synchronized boolean isEmpty() {
        return sealed.isEmpty() && active == null;
    }

    /** Bytes on disk, every segment included. */
    synchronized long bytes() {
        return bytes;
    }

    /** Deletes a replayed (or unreadable) segment returned by {@link #seal()}. */
    synchronized void delete(Path segment) throws IOException {
        long size = Files.size(segment);
        Files.delete(segment);
        sealed.remove(segment);
        bytes -= size;
    }

    /** Moves a segment that cannot be replayed aside ({@code .spool.failed}), out of the spool. */
    synchronized Path setAside(Path segment) throws IOException {
        long size = Files.size(segment);
        Path aside = segment.resolveSibling(segment.getFileName() + ".failed");
        Files.move(segment, aside);
        sealed.remove(segment);
        bytes -= size;
        return aside;
    }

    @Override
    public synchronized void close() {
        closeActive();
    }

    private long headerIfNew() {
        return active == null || activeBytes >= SEGMENT_BYTES ? SpoolFormat.HEADER.length : 0;
    }

    private void startSegment() throws IOException {
        closeActive();
        String name = "usage-" + String.format("%013d", System.currentTimeMillis()) + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + SUFFIX;
        activePath = directory.resolve(name);
        active = FileChannel.open(activePath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        ByteBuffer header = ByteBuffer.wrap(SpoolFormat.HEADER);
        while (header.hasRemaining()) {
            active.write(header);
        }
        activeBytes = SpoolFormat.HEADER.length;
        bytes += SpoolFormat.HEADER.length;
        syncDirectory();
    }

    /** The new segment's name must survive a crash too, not only its contents. */
    private void syncDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private void closeActive() {
        if (active == null) {
            return;
        }
        try {
            active.close();
        } catch (IOException e) {
            // Its records were synced when appended; nothing more to lose here.
        }
        sealed.add(activePath);
        active = null;
        activePath = null;
        activeBytes = 0;
    }
}
