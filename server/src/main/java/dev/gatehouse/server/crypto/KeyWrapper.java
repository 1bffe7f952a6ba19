package dev.gatehouse.server.crypto;

/**
 * Where the data keys of an {@link EnvelopeVault} are wrapped: the key-encryption key Gatehouse
 * already has ({@link LocalKeyWrapper}, the default), or an external KMS such as OpenBao's or
 * Vault's transit engine, which would implement the same two calls. Implementations are thread-safe.
 */
public interface KeyWrapper {

    /** Encrypts a data key, bound to {@code context}. */
    byte[] wrap(byte[] dataKey, byte[] context);

    /** @throws KeyEncryptionException when {@code wrapped} does not authenticate for {@code context} */
    byte[] unwrap(byte[] wrapped, byte[] context);
}
