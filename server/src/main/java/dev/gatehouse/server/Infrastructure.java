package dev.gatehouse.server;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JWSAlgorithm;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.CachingTokenVerifier;
import dev.gatehouse.sdk.verify.GatehouseTokenVerifier;
import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.crypto.EnvelopeVault;
import dev.gatehouse.server.crypto.KeyEncryptionKey;
import dev.gatehouse.server.crypto.LocalKeyWrapper;
import dev.gatehouse.server.crypto.SecretVault;
import dev.gatehouse.server.crypto.SignatureProvider;
import dev.gatehouse.server.crypto.SignatureProviders;
import dev.gatehouse.server.gateway.bridge.SandboxTokens;
import dev.gatehouse.server.identity.CallerVerifier;
import dev.gatehouse.server.identity.ServiceAccountVerifier;
import dev.gatehouse.server.pat.LastUsedTracker;
import dev.gatehouse.server.tokens.RevokedTokens;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.GroupCommitter;
import dev.gatehouse.server.store.StoreHealth;
import dev.gatehouse.server.tokens.Hs256TokenMinter;
import dev.gatehouse.server.tokens.KeyRing;
import dev.gatehouse.server.tokens.KeyWithdrawal;
import dev.gatehouse.server.tokens.SigningAlgorithm;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import dev.gatehouse.server.tokens.TokenMinter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every Gatehouse command stands on: the migrated store, the signing keys, decrypted with the
 * key-encryption key, and the provider of token signatures ({@code crypto.provider}). Shared by
 * {@code serve} and the operator commands ({@code keys}, {@code token inspect}) so they see exactly
 * the same keys. Thread-safe; close once.
 */
public final class Infrastructure implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Infrastructure.class);

    /** Accepted gateway tokens remembered at most: enough for every sandbox of a large deployment. */
    private static final int GATEWAY_VERIFIED_TOKENS = 50_000;
    /** Accepted callers of the auth API remembered at most (sessions, Keycloak access tokens, PATs). */
    private static final int VERIFIED_CALLERS = 10_000;

    private final GatehouseConfig config;
    private final Database database;
    private final KeyRing keyRing;
    private final RevokedTokens revokedTokens;
    private final LastUsedTracker lastUsed;
    private final SecretVault vault;
    private final SignatureProvider signatures;
    private TokenVerifier callerVerifier;
    private ServiceAccountVerifier serviceAccountVerifier;
    private GroupCommitter committer;
    private StoreHealth storeHealth;

    private Infrastructure(GatehouseConfig config, Database database, KeyRing keyRing, RevokedTokens revokedTokens,
            LastUsedTracker lastUsed, SecretVault vault, SignatureProvider signatures) {
        this.config = config;
        this.database = database;
        this.keyRing = keyRing;
        this.revokedTokens = revokedTokens;
        this.lastUsed = lastUsed;
        this.vault = vault;
        this.signatures = signatures;
    }

    /**
     * @throws IllegalStateException if {@code crypto.provider} names a provider that cannot be used here
     */
    public static Infrastructure open(GatehouseConfig config, Clock clock) {
        requireNonNull(config, "config");
        requireNonNull(clock, "clock");
        SignatureProvider signatures = SignatureProviders.choose(config.crypto());
        KeyEncryptionKey kek = keyEncryptionKey(config);
        Database database = Database.open(config.store());
        try {
            KeyRing keyRing = KeyRing.open(database, kek, config.keys(), config.tokens(), clock);
            // A key withdrawn on another replica leaves this one's key ring at the poll that learns of it.
            return new Infrastructure(config, database, keyRing, RevokedTokens.load(database, clock, keyRing::reload),
                    new LastUsedTracker(database, clock), new EnvelopeVault(new LocalKeyWrapper(kek)), signatures);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private static KeyEncryptionKey keyEncryptionKey(GatehouseConfig config) {
        if (config.keys().keyEncryptionKey().isPresent()) {
            return KeyEncryptionKey.of(config.keys().keyEncryptionKey().get());
        }
        // Configuration validation refuses this in production; here it is the laptop default.
        log.atWarn()
                .addKeyValue("file", config.keys().generatedKekFile())
                .log("no keys.kek configured: using a generated key-encryption key file (dev only)");
        return KeyEncryptionKey.loadOrGenerate(config.keys().generatedKekFile());
    }

    /**
     * Verifies tokens presented to Gatehouse's own API: issued by this Gatehouse, signed by one of
     * its asymmetric keys (never the HS256 interop secret), with the issuer in {@code aud}.
     */
    public TokenVerifier apiTokenVerifier() {
        return builder(Optional.of(config.tokens().issuer().toString())).build();
    }

    /**
     * Verifies tokens issued by this Gatehouse, including HS256 sandbox tokens when the interop
     * secret is configured; with an audience, only tokens meant for it. Revoked personal access
     * tokens are refused ({@code token_revoked}); accepted ones are recorded as used.
     */
    public TokenVerifier tokenVerifier(Optional<String> requiredAudience) {
        GatehouseTokenVerifier.Builder builder = builder(requiredAudience);
        // The SDK accepts HS256 for sandbox tokens only, so the shared secret cannot forge a user.
        config.keys().hs256Secret().ifPresent(secret -> builder.hs256Secret(secret.bytes()));
        return builder.build();
    }

    /**
     * The gateway's verifier: {@link #tokenVerifier} with no audience required, remembering accepted
     * tokens until they expire (a sandbox presents the same token on every call, and an ES256
     * verification costs about a millisecond of CPU). Revocation is still checked on every call.
     */
    public TokenVerifier gatewayTokenVerifier() {
        return CachingTokenVerifier.of(tokenVerifier(Optional.empty()), lastUsed.recordingUse(revokedTokens),
                Clock.systemUTC(), GATEWAY_VERIFIED_TOKENS);
    }

    private GatehouseTokenVerifier.Builder builder(Optional<String> requiredAudience) {
        GatehouseTokenVerifier.Builder builder = GatehouseTokenVerifier.builder()
                .issuer(config.tokens().issuer().toString())
                .keySource(keyRing.verificationKeys())
                .clockSkew(config.tokens().clockSkew())
                .revocationCheck(lastUsed.recordingUse(revokedTokens))
                // Every Gatehouse type: callers (CallerVerifier, introspection) check the type they need.
                .acceptedTypes(EnumSet.allOf(TokenType.class));
        requiredAudience.ifPresentOrElse(builder::audience, builder::anyAudience);
        signatures.jca().ifPresent(builder::signatureProvider);
        return builder;
    }

    /** Every algorithm a token from this Gatehouse may be signed with, for issuer metadata. */
    public List<String> signingAlgorithms() {
        List<String> algorithms = new ArrayList<>();
        for (SigningAlgorithm algorithm : SigningAlgorithm.values()) {
            algorithms.add(algorithm.jwsAlgorithm().getName());
        }
        if (config.keys().hs256Secret().isPresent()) {
            algorithms.add(JWSAlgorithm.HS256.getName());
        }
        return algorithms;
    }

    /**
     * The one verifier of "who is calling the auth API": Gatehouse's own tokens through {@link
     * #apiTokenVerifier()}, and access tokens of the configured Keycloak issuers. Built on first use
     * and shared, so every route uses the same Keycloak key caches. Accepted tokens are remembered
     * until they expire, as for the gateway (a client sends the same session on every call, and an
     * ES256 or RS256 verification costs about a millisecond of CPU); revocation is still checked on
     * every call.
     */
    public synchronized TokenVerifier callerVerifier() {
        if (callerVerifier == null) {
            callerVerifier = CachingTokenVerifier.of(CallerVerifier.of(config.identity(), config.tokens().issuer(),
                    apiTokenVerifier(), config.tokens().clockSkew()), lastUsed.recordingUse(revokedTokens),
                    Clock.systemUTC(), VERIFIED_CALLERS);
        }
        return callerVerifier;
    }

    /**
     * Verifies the service-account tokens the admin API accepts ({@code admin.serviceAccounts.issuers}).
     * Built on first use and shared by every admin route, so they share the realms' key caches.
     */
    public synchronized ServiceAccountVerifier serviceAccountVerifier() {
        if (serviceAccountVerifier == null) {
            serviceAccountVerifier = ServiceAccountVerifier.of(config.admin().serviceAccounts().issuers(),
                    config.tokens().clockSkew(), config.identity().jwksRefreshMinInterval());
        }
        return serviceAccountVerifier;
    }

    /**
     * Mints, records and revokes sandbox tokens: HS256 with {@code keys.hs256Secret} when it is set
     * (NewAPI interop), else signed by the key ring and verifiable through the JWKS. The one minting
     * path of the bridge and of the sandbox role.
     *
     * @param longest the longest lifetime its tokens may have (at most {@code tokens.maxTtl} applies too)
     */
    public SandboxTokens sandboxTokens(AuditLog audit, Clock clock, Duration longest) {
        TokenMinter minter = config.keys().hs256Secret()
                .<TokenMinter>map(secret -> Hs256TokenMinter.of(secret, config.tokens(), clock))
                .orElseGet(() -> signingTokenMinter(clock));
        Duration maxTtl = config.tokens().maxTokenTtl();
        return new SandboxTokens(database, committer(), minter, longest.compareTo(maxTtl) < 0 ? longest : maxTtl, audit,
                revokedTokens, config.keys().hs256Secret().isPresent(), clock);
    }

    /** Withdraws signing keys of {@link #keyRing()}, audited in {@code audit}. */
    public KeyWithdrawal keyWithdrawal(AuditLog audit, Clock clock) {
        return new KeyWithdrawal(database, keyRing, revokedTokens, audit, clock);
    }

    /** Mints tokens signed by the key ring's active key, with {@link #signatureProvider()}. */
    public SigningTokenMinter signingTokenMinter(Clock clock) {
        return SigningTokenMinter.of(keyRing, config.tokens(), clock, signatures);
    }

    /** The provider that signs and verifies tokens, chosen by {@code crypto.provider} when this was opened. */
    public SignatureProvider signatureProvider() {
        return signatures;
    }

    /** Whether a sandbox token can be signed now: HS256 is configured, or the key ring is ready. */
    public boolean canSignSandboxTokens() {
        return config.keys().hs256Secret().isPresent() || keyRing.isReady();
    }

    public Database database() {
        return database;
    }

    /**
     * The one group committer of this process on {@link #database()}: minted tokens' records are
     * written through it, many per transaction. Started on first use; closed (after committing what
     * is queued) before the store.
     */
    public synchronized GroupCommitter committer() {
        if (committer == null) {
            committer = GroupCommitter.start(database);
        }
        return committer;
    }

    /**
     * Whether {@link #database()} answers, known without waiting ({@code /readyz}, the usage writer).
     * Started on first use; closed before the store.
     */
    public synchronized StoreHealth storeHealth() {
        if (storeHealth == null) {
            storeHealth = StoreHealth.start(database, StoreHealth.DEFAULT_INTERVAL);
        }
        return storeHealth;
    }

    /** Users' secrets at rest (subscription tokens, pasted keys): envelopes under the key-encryption key. */
    public SecretVault secretVault() {
        return vault;
    }

    public KeyRing keyRing() {
        return keyRing;
    }

    /** Revoked tokens and withdrawn keys, as every verifier built here checks them. */
    public RevokedTokens revokedTokens() {
        return revokedTokens;
    }

    /** Last uses of personal access tokens accepted by the verifiers built here, not yet flushed. */
    public LastUsedTracker lastUsed() {
        return lastUsed;
    }

    @Override
    public void close() {
        try {
            synchronized (this) {
                if (committer != null) {
                    committer.close();
                }
                if (storeHealth != null) {
                    storeHealth.close();
                }
            }
            keyRing.close();
        } finally {
            database.close();
        }
    }
}
