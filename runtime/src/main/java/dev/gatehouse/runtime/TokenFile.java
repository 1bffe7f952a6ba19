package dev.gatehouse.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A token kept in a file that is replaced while the runtime runs: a Kubernetes Secret volume (the
 * kubelet swaps a {@code ..data} symlink) or a file Gatehouse rewrites by atomic rename. Each call
 * stats the file, following links; it is read again when its identity, modification time or size
 * changed, or when it was last read more than {@link #REREAD_AFTER} ago (an in-place rewrite can keep
 * all three). Trailing whitespace is stripped. A missing, empty, oversized or malformed file gives no
 * token. Thread-safe: concurrent callers may each read the file, and the last read wins.
 */
final class TokenFile implements TokenSource {
    static final Duration REREAD_AFTER = Duration.ofSeconds(5);
    private static final long MAX_BYTES = 64 * 1024;

    private final Path path;
    private final LongSupplier nanoClock;
    private volatile Snapshot last;

    TokenFile(Path path) {
        this(path, System::nanoTime);
    }

    TokenFile(Path path, LongSupplier nanoClock) {
        this.path = path;
        this.nanoClock = nanoClock;
    }

    @Override
    public Optional<String> current() {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            return Optional.empty();
        }
        long now = nanoClock.getAsLong();
        Snapshot seen = last;
        if (seen == null || !seen.describes(attributes) || now - seen.readAt > REREAD_AFTER.toNanos()) {
            seen = new Snapshot(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size(), now,
                    attributes.size() <= MAX_BYTES ? read() : null);
            last = seen;
        }
        return Optional.ofNullable(seen.token);
    }

    private String read() {
        try {
            String token = Files.readString(path).stripTrailing();
            return TokenSource.isWellFormed(token) ? token : null;
        } catch (IOException e) {
            return null;
        }
    }

    private record Snapshot(Object fileKey, FileTime modified, long size, long readAt, String token) {
        boolean describes(BasicFileAttributes attributes) {
            return Objects.equals(fileKey, attributes.fileKey()) && modified.equals(attributes.lastModifiedTime())
                    && size == attributes.size();
        }
    }
}
