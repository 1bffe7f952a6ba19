package dev.gatehouse.runtime;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A request body that fails once more than {@code max} bytes were read, and remembers that it did. */
final class CappedInputStream extends FilterInputStream {
    private final long max;
    private long count;
    private volatile boolean exceeded;

    CappedInputStream(InputStream in, long max) {
        super(in);
        this.max = max;
    }

    boolean exceeded() {
        return exceeded;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    private void count(int n) throws IOException {
        count += n;
        if (count > max) {
            exceeded = true;
            throw new IOException("request body: more than " + max + " bytes");
        }
    }
}
