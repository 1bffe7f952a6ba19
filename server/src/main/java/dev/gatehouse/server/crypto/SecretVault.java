package dev.gatehouse.server.crypto;

/**
 * Keeps secrets of users (refresh tokens, pasted API keys) encrypted at rest. A sealed value opens
 * only under the context it was sealed for — the identity of the record holding it — so a ciphertext
 * copied into another user's row does not decrypt. Implementations are thread-safe.
 */
public interface SecretVault {

    /** Encrypts {@code plaintext} for {@code context}; the result is text, safe to store. */
    String seal(byte[] plaintext, String context);

    /**
     * Decrypts what {@link #seal} produced for the same {@code context}.
     *
     * @throws KeyEncryptionException when it does not authenticate: tampered, sealed for another
     *     context, or under another key
     */
    byte[] open(String sealed, String context);
}
