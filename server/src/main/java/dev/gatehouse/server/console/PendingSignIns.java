package dev.gatehouse.server.console;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.crypto.KeyEncryptionException;
import dev.gatehouse.server.crypto.SecretVault;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A Keycloak sign-in between leaving for Keycloak and coming back, kept in the browser that started
 * it: its state, realm and PKCE verifier sealed (AES-GCM under the key-encryption key) into the
 * sign-in cookie. Nothing is written for a sign-in that anyone may start, the callback is bound to
 * that browser, and any replica opens it. A replayed callback finds the code already used at Keycloak.
 */
final class PendingSignIns {
    /** How long a sign-in may take between leaving for Keycloak and coming back. */
    static final Duration TTL = Duration.ofMinutes(10);
    private static final String CONTEXT = "console-sign-in";

    private final SecretVault vault;

    PendingSignIns(SecretVault vault) {
        this.vault = requireNonNull(vault, "vault");
    }

    /** A sign-in on its way. */
    record PendingSignIn(String state, URI issuer, String codeVerifier, Instant expiresAt) {}

    /** The cookie value of {@code pending}. */
    String seal(PendingSignIn pending) {
        return vault.seal(new JsonObject().put("state", pending.state()).put("issuer", pending.issuer().toString())
                .put("verifier", pending.codeVerifier()).put("expires_at", pending.expiresAt().toEpochMilli())
                .encode().getBytes(UTF_8), CONTEXT);
    }

    /**
     * The sign-in a callback with {@code state} finishes: the one sealed in {@code cookie} if it is
     * intact, of that state, and not past its time.
     */
    Optional<PendingSignIn> open(String cookie, String state, Instant now) {
        JsonObject sealed;
        try {
            sealed = new JsonObject(new String(vault.open(cookie, CONTEXT), UTF_8));
        } catch (KeyEncryptionException | DecodeException e) {
            return Optional.empty();
        }
        PendingSignIn pending = new PendingSignIn(sealed.getString("state"), URI.create(sealed.getString("issuer")),
                sealed.getString("verifier"), Instant.ofEpochMilli(sealed.getLong("expires_at")));
        if (!RandomSecrets.matches(pending.state(), state) || !now.isBefore(pending.expiresAt())) {
            return Optional.empty();
        }
        return Optional.of(pending);
    }
}
