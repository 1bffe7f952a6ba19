package dev.gatehouse.server.byos;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.crypto.SecretVault;
import dev.gatehouse.server.store.Database;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;

/**
 * The stored subscriptions, their secrets sealed by the vault to the identity of their row. No
 * network: the {@code sandbox} role reads credentials through it without the providers' clients.
 * Every method blocks on the store. Thread-safe.
 */
public final class ByosConnections {
    /** Attempts at a change that races with others on one connection (refresh, reconnect, disconnect). */
    static final int MAX_ATTEMPTS = 5;

    private final Database database;
    private final SecretVault vault;

    public ByosConnections(Database database, SecretVault vault) {
        this.database = requireNonNull(database, "database");
        this.vault = requireNonNull(vault, "vault");
    }

    public Optional<Connection> find(ByosOwner owner, String provider) {
        requireNonNull(owner, "owner");
        requireNonNull(provider, "provider");
        return database.jdbi().withHandle(handle -> ByosStore.find(handle, owner, provider));
    }

    /** The plaintext credential (access token or key) of {@code connection}: never log it. */
    public String credential(Connection connection) {
        return new String(vault.open(connection.credentialSealed(), connection.credentialContext()), UTF_8);
    }

    String refreshToken(Connection connection) {
        return new String(vault.open(connection.refreshSealed().orElseThrow(), connection.refreshContext()), UTF_8);
    }

    /** The PKCE verifier of a pending connection. */
    String verifier(PendingConnection pending) {
        return new String(vault.open(pending.verifierSealed(), pending.verifierContext()), UTF_8);
    }

    String seal(String secret, String context) {
        return vault.seal(secret.getBytes(UTF_8), context);
    }

    /**
     * Stores a newly connected subscription in place of any earlier one (with a higher version),
     * running {@code alsoInTransaction} (the audit entry) in the same transaction. Of concurrent
     * replacements each replaces exactly the one before it, so every replaced grant can be revoked.
     *
     * @return the connection replaced, whose grant the caller revokes
     */
    Optional<Connection> replace(ByosOwner owner, String provider, Connection.Kind kind, String credential,
            Optional<String> refreshToken, Optional<Instant> expiresAt, List<String> scopes, Instant now,
            Consumer<Handle> alsoInTransaction) {
        String credentialSealed = seal(credential, owner.context(provider, "credential"));
        Optional<String> refreshSealed = refreshToken.map(token -> seal(token, owner.context(provider, "refresh")));
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Replacement replacement = database.jdbi().inTransaction(handle -> {
                Optional<Connection> previous = ByosStore.find(handle, owner, provider);
                // Fresh versions start at the clock, so a subscription connected again after a
                // disconnection never repeats a version a sandbox still holds.
                long version = Math.max(previous.map(Connection::version).orElse(0L) + 1, now.toEpochMilli());
                Connection next = new Connection(owner, provider, kind, Connection.Status.CONNECTED, scopes,
                        credentialSealed, refreshSealed, expiresAt, version, now, Optional.empty(), Optional.empty());
                boolean stored = previous.isEmpty() ? ByosStore.insertIfAbsent(handle, next)
                        : ByosStore.replaceVersion(handle, next, previous.get().version());
                if (stored) {
                    alsoInTransaction.accept(handle);
                }
                return new Replacement(stored, previous);
            });
            if (replacement.stored()) {
                return replacement.previous();
            }
        }
        throw new IllegalStateException("the subscription kept changing while it was stored; try again");
    }

    /** Deletes {@code connection} if it is unchanged, running {@code alsoInTransaction} with it; false when it changed. */
    boolean delete(Connection connection, Consumer<Handle> alsoInTransaction) {
        return database.jdbi().inTransaction(handle -> {
            if (!ByosStore.deleteVersion(handle, connection.owner(), connection.provider(), connection.version())) {
                return false;
            }
            alsoInTransaction.accept(handle);
            return true;
        });
    }

    private record Replacement(boolean stored, Optional<Connection> previous) {}
}
