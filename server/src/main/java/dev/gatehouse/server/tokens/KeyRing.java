package dev.gatehouse.server.tokens;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.gatehouse.server.crypto.KeyEncryptionException;
import dev.gatehouse.server.crypto.KeyEncryptionKey;
import dev.gatehouse.server.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gatehouse's signing keys, kept in the store with their private parts sealed by the
 * key-encryption key (associated data: the {@code kid}).
 *
 * <p>Exactly one key is {@linkplain KeyState#ACTIVE active} and signs. {@link #rotate()} retires
 * it: a retired key keeps verifying (and stays in the JWKS) until {@code retiredAt +
 * tokens.maxTtl + tokens.clockSkew}, after which it is {@linkplain KeyState#EXPIRED expired} and
 * gone from both. States are computed from the clock at each call. New keys use {@code
 * keys.algorithm}; a key generated under another algorithm keeps signing until the next rotation.
 *
 * <p>On first start an active key is generated and stored; replicas racing to do so on one
 * database end with one active key (a unique index admits one, the losers reload it). Another
 * replica's rotation becomes visible here on {@link #reload()}.
 *
 * <p>Thread-safe. Reads ({@link #activeSigningKey()}, {@link #publicJwkSet()}, {@link
 * #verificationKeys()}, {@link #list()}) are lock-free on an immutable snapshot that {@link
 * #reload()} and {@link #rotate()} replace; those two block on JDBC and must run off the event
 * loop. After {@link #close()} every method throws {@link IllegalStateException} except {@link
 * #isReady()}, which returns {@code false}.
 */
public final class KeyRing implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KeyRing.class);

    private static final int FIRST_KEY_ATTEMPTS = 3;
    private static final int KID_BYTES = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SigningKeyTable table;
    private final KeyEncryptionKey kek;
    private final SigningAlgorithm algorithm;
    private final Duration retiredKeyLifetime;
    private final Clock clock;
    private volatile Snapshot snapshot;
    private volatile boolean closed;

    private KeyRing(SigningKeyTable table, KeyEncryptionKey kek, SigningAlgorithm algorithm,
            Duration retiredKeyLifetime, Clock clock) {
        this.table = table;
        this.kek = kek;
        this.algorithm = algorithm;
        this.retiredKeyLifetime = retiredKeyLifetime;
        this.clock = clock;
    }

    /**
     * Loads the keys from {@code database}, generating and storing an active key if there is none.
     *
     * @throws KeyRingException if the active key cannot be decrypted with {@code kek} or a stored
     *     key is malformed
     * @throws JdbiException if the store fails
     */
    public static KeyRing open(
            Database database, KeyEncryptionKey kek, KeysConfig keys, TokensConfig tokens, Clock clock) {
        requireNonNull(database, "database");
        requireNonNull(kek, "kek");
        requireNonNull(keys, "keys");
        requireNonNull(tokens, "tokens");
        requireNonNull(clock, "clock");
        KeyRing ring = new KeyRing(new SigningKeyTable(database.jdbi()), kek, keys.algorithm(),
                tokens.maxTokenTtl().plus(tokens.clockSkew()), clock);
        ring.reload();
        return ring;
    }

    /** The active key, with its private part. */
    public JWK activeSigningKey() {
        return current().activeKey();
    }

    /** Public parts of every key that still verifies: the active key and unexpired retired keys. */
    public JWKSet publicJwkSet() {
        Instant now = clock.instant();
        Snapshot current = current();
        return new JWKSet(current.keys().stream()
                .filter(key -> key.info(now).state() != KeyState.EXPIRED)
                .map(key -> current.publicKeys().get(key.kid()))
                .toList());
    }

    /** The keys of {@link #publicJwkSet()} as a Nimbus key source; each lookup sees the latest snapshot. */
    public JWKSource<SecurityContext> verificationKeys() {
        return (selector, context) -> selector.select(publicJwkSet());
    }

    /**
     * Generates a new active key and retires the current one, in one transaction.
     *
     * @return the new key
     * @throws KeyRingException if the new key cannot be stored, e.g. because another replica rotated
     *     at the same moment (reload and try again)
     */
    public synchronized KeyInfo rotate() {
        ensureOpen();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        StoredKey next = generate(now);
        try {
            table.rotate(next, now, now.plus(retiredKeyLifetime));
        } catch (JdbiException e) {
            throw new KeyRingException("cannot store new signing key " + next.kid()
                    + " (another replica may have rotated at the same moment; reload and retry)", e);
        }
        snapshot = load();
        log.info("Rotated signing keys: {} ({}) is now active", next.kid(), next.algorithm());
        return next.info(now);
    }

    /** Every stored key with its current state, newest first. */
    public List<KeyInfo> list() {
        Instant now = clock.instant();
        return current().keys().stream().map(key -> key.info(now)).toList();
    }

    /**
     * Re-reads the keys from the store, generating an active key if there is none. On failure the
     * previous snapshot stays in use.
     *
     * @throws KeyRingException if the active key cannot be decrypted or a stored key is malformed
     * @throws JdbiException if the store fails
     */
    public synchronized void reload() {
        ensureOpen();
        snapshot = load();
    }

    /** Whether the ring serves keys: true from {@link #open} until {@link #close()}. */
    public boolean isReady() {
        return !closed;
    }

    /** Stops serving keys. The store is not touched. */
    @Override
    public void close() {
        closed = true;
    }

    private Snapshot current() {
        ensureOpen();
        return snapshot;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("key ring is closed");
        }
    }

    private Snapshot load() {
        for (int attempt = 1; ; attempt++) {
            List<StoredKey> keys = table.all();
            StoredKey active = keys.stream().filter(StoredKey::isActive).findFirst().orElse(null);
            if (active != null) {
                return snapshot(keys, active);
            }
            StoredKey created = generate(clock.instant().truncatedTo(ChronoUnit.MILLIS));
            try {
                table.insertActive(created);
                log.info("Generated signing key {} ({})", created.kid(), created.algorithm());
            } catch (JdbiException e) {
                if (attempt == FIRST_KEY_ATTEMPTS) {
                    throw new KeyRingException("cannot store new signing key " + created.kid(), e);
                }
                log.info("Another replica stored a signing key first; reloading");
            }
        }
    }

    private Snapshot snapshot(List<StoredKey> keys, StoredKey active) {
        Map<String, JWK> publicKeys = keys.stream().collect(Collectors.toUnmodifiableMap(
                StoredKey::kid, key -> parse(key.kid(), key.publicJwk(), "public key")));
        return new Snapshot(unseal(active), keys, publicKeys);
    }

    private JWK unseal(StoredKey key) {
        byte[] json;
        try {
            json = kek.open(Base64.getDecoder().decode(key.privateKeySealed()), aad(key.kid()));
        } catch (KeyEncryptionException | IllegalArgumentException e) {
            throw new KeyRingException(
                    "cannot decrypt signing key " + key.kid() + ": wrong key-encryption key? " + e.getMessage());
        }
        JWK privateKey = parse(key.kid(), new String(json, StandardCharsets.UTF_8), "sealed private key");
        if (!privateKey.isPrivate() || !key.kid().equals(privateKey.getKeyID())) {
            throw new KeyRingException("signing key " + key.kid() + ": sealed private key does not belong to it");
        }
        return privateKey;
    }

    private static JWK parse(String kid, String json, String what) {
        try {
            return JWK.parse(json);
        } catch (ParseException e) {
            throw new KeyRingException("signing key " + kid + ": stored " + what + " is not a valid JWK");
        }
    }

    private StoredKey generate(Instant now) {
        String kid = newKid();
        JWK key;
        try {
            key = switch (algorithm) {
                case ES256 -> new ECKeyGenerator(Curve.P_256)
                        .keyID(kid).algorithm(algorithm.jwsAlgorithm()).keyUse(KeyUse.SIGNATURE).generate();
                case EdDSA -> new OctetKeyPairGenerator(Curve.Ed25519)
                        .keyID(kid).algorithm(algorithm.jwsAlgorithm()).keyUse(KeyUse.SIGNATURE).generate();
            };
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
        }
        byte[] sealed = kek.seal(key.toJSONString().getBytes(StandardCharsets.UTF_8), aad(kid));
        return new StoredKey(kid, algorithm.jwsAlgorithm().getName(), key.toPublicJWK().toJSONString(),
                Base64.getEncoder().encodeToString(sealed), now, Optional.empty(),
                Optional.empty());
    }

    private static String newKid() {
        byte[] bytes = new byte[KID_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] aad(String kid) {
        return kid.getBytes(StandardCharsets.UTF_8);
    }

    /** An immutable view of the store; {@code publicKeys} by kid for every key in {@code keys}. */
    private record Snapshot(JWK activeKey, List<StoredKey> keys, Map<String, JWK> publicKeys) {}
}
