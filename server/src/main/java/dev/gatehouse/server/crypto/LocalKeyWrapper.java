package dev.gatehouse.server.crypto;

import static java.util.Objects.requireNonNull;

/** Wraps data keys with Gatehouse's own key-encryption key ({@code keys.kek}). Thread-safe. */
public final class LocalKeyWrapper implements KeyWrapper {
    private final KeyEncryptionKey kek;

    public LocalKeyWrapper(KeyEncryptionKey kek) {
        this.kek = requireNonNull(kek, "kek");
    }

    @Override
    public byte[] wrap(byte[] dataKey, byte[] context) {
        return kek.seal(dataKey, context);
    }

    @Override
    public byte[] unwrap(byte[] wrapped, byte[] context) {
        return kek.open(wrapped, context);
    }
}
