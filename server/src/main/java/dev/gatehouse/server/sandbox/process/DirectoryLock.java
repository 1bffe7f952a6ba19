package dev.gatehouse.server.sandbox.process;

import dev.gatehouse.server.sandbox.SandboxBackendException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** An exclusive lock on a file, held by one process (and one backend in it) until released. */
final class DirectoryLock {
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws SandboxBackendException when another Gatehouse (or another backend here) holds it */
    static DirectoryLock take(Path file) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return new DirectoryLock(channel, lock);
            }
        } catch (OverlappingFileLockException e) {
            // held by this process already
        } catch (IOException e) {
            closeQuietly(channel);
            throw new SandboxBackendException("The sandbox directory " + file.getParent() + " cannot be locked: "
                    + e.getMessage(), e);
        }
        closeQuietly(channel);
        throw new SandboxBackendException("Another Gatehouse runs sandboxes from " + file.getParent()
                + " (the process backend serves one Gatehouse per data directory).");
    }

    void release() {
        try {
            lock.release();
        } catch (IOException e) {
            // released with the channel below
        } finally {
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
