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
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
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
 * <p>A key goes {@linkplain KeyState#PENDING pending} → {@linkplain KeyState#ACTIVE active} →
 * {@linkplain KeyState#RETIRED retired} → {@linkplain KeyState#EXPIRED expired}. States are
 * computed from the clock at each call; at any instant exactly one key is active, and it is the one
 * {@link #activeSigningKey()} returns.
 *
 * <p>{@link #rotate()} stores a new key and retires the newest one. Another replica sees the
 * rotation only on its next {@link #reload()}, up to {@code keys.refreshInterval} later, so the
 * rotation takes effect after a <em>propagation delay</em> of {@code keys.refreshInterval}: the new
 * key is published at once (in {@link #publicJwkSet()} and {@link #verificationKeys()}) but stays
 * pending, and the retired key goes on signing, until {@code createdAt + keys.refreshInterval}
 * ({@link KeyInfo#signsFrom()}). Every replica computes that instant from the stored timestamps, so
 * none signs with a key that a replica that has not reloaded yet, or a JWKS cache refreshed within
 * {@code keys.refreshInterval}, does not know. The very first key signs at once. Rotations within
 * the delay hand over one after the other, each key signing for its own window.
 *
 * <p>A retired key keeps verifying (and stays in the JWKS) until {@code retiredAt +
 * keys.refreshInterval + tokens.maxTtl + tokens.clockSkew}, which covers the last token it may
 * sign, after which it is expired and gone from both. The rotating process stores that instant, so
 * replicas and the CLI must share {@code keys.refreshInterval}, {@code tokens.maxTtl} and {@code
 * tokens.clockSkew}; a retired key never signs past {@code verifiesUntil - tokens.maxTtl -
 * tokens.clockSkew} (as computed here) even where they differ. New keys use {@code
 * keys.algorithm}; a key generated under another algorithm keeps signing until the next rotation.
 *
 * <p>A key withdrawn by {@link KeyWithdrawal} is listed as {@linkplain KeyState#REVOKED revoked} and
 * takes no part in signing or verifying from the next {@link #reload()}: the next key in signing order
 * signs at once, even if it was still pending.
 *
 * <p>On first start a key is generated and stored; replicas racing to do so on one database end
 * with one key (a unique index admits one, the losers reload it).
 *
 * <p>Thread-safe. Reads ({@link #activeSigningKey()}, {@link #publicJwkSet()}, {@link
 * #verificationKeys()}, {@link #list()}) are lock-free on an immutable snapshot that {@link
 * #reload()} and {@link #rotate()} replace (it holds the private parts of the keys that sign from
 * then on: while a rotation propagates, the retired key's and the pending key's); those two block
 * on JDBC and must run off the event loop. After {@link #close()} every method throws {@link
 * IllegalStateException} except {@link #isReady()}, which returns {@code false}. The public JWK
 * set is cached per snapshot until the next key expiry (a volatile, immutable cache entry; see
 * {@code Published}), so verifying through {@link #verificationKeys()} allocates no new set per
 * token while every key still enters and leaves it at exactly the instant its state says.
 */
public final class KeyRing implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KeyRing.class);

    private static final int FIRST_KEY_ATTEMPTS = 3;
    private static final int KID_BYTES = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SigningKeyTable table;
    private final KeyEncryptionKey kek;
    private final SigningAlgorithm algorithm;
    private final Duration propagationDelay;
    private final Duration retiredKeyLifetime;
    private final Clock clock;
    private volatile Snapshot snapshot;
    private volatile Published published;
    private volatile boolean closed;

    private KeyRing(SigningKeyTable table, KeyEncryptionKey kek, SigningAlgorithm algorithm,
            Duration propagationDelay, Duration retiredKeyLifetime, Clock clock) {
        this.table = table;
        this.kek = kek;
        this.algorithm = algorithm;
        this.propagationDelay = propagationDelay;
        this.retiredKeyLifetime = retiredKeyLifetime;
        this.clock = clock;
    }

    /**
     * Loads the keys from {@code database}, generating and storing a key if there is none.
     *
     * @throws KeyRingException if a key that signs from now on cannot be decrypted with {@code kek}
     *     or a stored key is malformed
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
                keys.refreshInterval(), tokens.maxTokenTtl().plus(tokens.clockSkew()), clock);
        ring.reload();
        return ring;
    }

    /**
     * The {@linkplain KeyState#ACTIVE active} key, with its private part: while a rotation
     * propagates, the key it retired.
     */
    public JWK activeSigningKey() {
        return current().signingKey(clock.instant());
    }

    /**
     * Public parts of every key that verifies: pending, active and unexpired retired keys. The set
     * is computed from the clock like every state, but built once per snapshot and span of time in
     * which no key expires (see {@link Published}), so repeated calls return the same instance.
     */
    public JWKSet publicJwkSet() {
        Snapshot current = current();
        Instant now = clock.instant();
        Published cached = published;
        if (cached != null && cached.snapshot() == current && cached.covers(now)) {
            return cached.jwkSet();
        }
        Published computed = Published.of(current, now);
        published = computed;
        return computed.jwkSet();
    }

    /** The keys of {@link #publicJwkSet()} as a Nimbus key source; each lookup sees the latest snapshot. */
    public JWKSource<SecurityContext> verificationKeys() {
        return (selector, context) -> selector.select(publicJwkSet());
    }

    /**
     * Generates and publishes a new key and retires the newest stored one, in one transaction. The
     * new key signs from {@code now + keys.refreshInterval}; until then the retired key does.
     *
     * @return the new key, {@linkplain KeyState#PENDING pending}
     * @throws KeyRingException if the new key cannot be stored, e.g. because another replica rotated
     *     at the same moment (reload and try again)
     */
    public synchronized KeyInfo rotate() {
        ensureOpen();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        StoredKey next = generate(now);
        try {
            table.rotate(next, now, now.plus(propagationDelay).plus(retiredKeyLifetime));
        } catch (JdbiException e) {
            throw new KeyRingException("cannot store new signing key " + next.kid()
                    + " (another replica may have rotated at the same moment; reload and retry)", e);
        }
        Snapshot loaded = load();
        snapshot = loaded;
        RingKey rotated = loaded.keys().stream()
                .filter(key -> key.stored().kid().equals(next.kid()))
                .findFirst()
                .orElseThrow();
        log.info("Rotated signing keys: {} ({}) is published and signs from {}",
                next.kid(), next.algorithm(), rotated.signsFrom());
        return rotated.info(now);
    }

    /** Every stored key with its current state, newest first. */
    public List<KeyInfo> list() {
        Instant now = clock.instant();
        return current().keys().stream().map(key -> key.info(now)).toList();
    }

    /**
     * Re-reads the keys from the store, generating a key if there is none. On failure the previous
     * snapshot stays in use.
     *
     * @throws KeyRingException if a key that signs from now on cannot be decrypted or a stored key
     *     is malformed
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

    /** Withdrawn keys are listed, but take no part in signing or verifying. */
    private Snapshot snapshot(List<StoredKey> keys, StoredKey active) {
        Instant now = clock.instant();
        List<RingKey> signingOrder = signingOrder(keys.stream().filter(key -> !key.isRevoked()).toList(), active);
        JWK newest = unseal(active);
        List<Signer> signers = signingOrder.stream()
                .filter(key -> key.signsUntil().map(now::isBefore).orElse(true))
                .map(key -> new Signer(key.signsFrom(), key.stored().isActive() ? newest : unseal(key.stored())))
                .toList();
        Map<String, RingKey> byKid = signingOrder.stream()
                .collect(Collectors.toUnmodifiableMap(key -> key.stored().kid(), key -> key));
        return new Snapshot(keys.stream()
                .map(key -> key.isRevoked() ? RingKey.revoked(key) : byKid.get(key.kid()))
                .toList(), signers);
    }

    /**
     * The keys in the order they sign, each with its signing window: retired keys by retirement,
     * then the newest. Each key signs until the one after it starts; windows never go back in time,
     * so one at most contains any instant (a window may be empty after rotations within the delay).
     */
    private List<RingKey> signingOrder(List<StoredKey> keys, StoredKey active) {
        List<StoredKey> order = new ArrayList<>(keys.stream()
                .filter(key -> !key.isActive())
                .sorted(Comparator.comparing((StoredKey key) -> key.retiredAt().orElseThrow())
                        .thenComparing(StoredKey::createdAt))
                .toList());
        order.add(active);
        List<RingKey> ringKeys = new ArrayList<>();
        Instant signsFrom = order.getFirst().createdAt();
        for (StoredKey key : order) {
            JWK publicKey = parse(key.kid(), key.publicJwk(), "public key");
            if (key.isActive()) {
                ringKeys.add(new RingKey(key, signsFrom, Optional.empty(), publicKey));
                break;
            }
            Instant signsUntil = latest(signsFrom, stopsSigning(key));
            ringKeys.add(new RingKey(key, signsFrom, Optional.of(signsUntil), publicKey));
            signsFrom = signsUntil;
        }
        return ringKeys;
    }

    /**
     * When a retired key stops signing: {@code retiredAt + keys.refreshInterval}, but never later
     * than its stored {@code verify_until} covers (rows stored with another delay, or before there
     * was one).
     */
    private Instant stopsSigning(StoredKey retired) {
        Instant delayed = retired.retiredAt().orElseThrow().plus(propagationDelay);
        Instant covered = retired.verifiesUntil().orElseThrow().minus(retiredKeyLifetime);
        return delayed.isBefore(covered) ? delayed : covered;
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
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
                Optional.empty(), Optional.empty());
    }

    /** Random base64url, never starting with '-': a kid is an argument of {@code gatehouse keys revoke}, not an option. */
    static String newKid() {
        while (true) {
            byte[] bytes = new byte[KID_BYTES];
            RANDOM.nextBytes(bytes);
            String kid = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            if (kid.charAt(0) != '-') {
                return kid;
            }
        }
    }

    private static byte[] aad(String kid) {
        return kid.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * An immutable view of the store: every key, newest first, and, in signing order, the private
     * parts of the keys whose signing window had not ended when it was loaded.
     */
    private record Snapshot(List<RingKey> keys, List<Signer> signers) {
        /** The key whose window contains {@code now}; the first one should the clock go back. */
        JWK signingKey(Instant now) {
            for (Signer signer : signers.reversed()) {
                if (!now.isBefore(signer.signsFrom())) {
                    return signer.privateKey();
                }
            }
            return signers.getFirst().privateKey();
        }
    }

    /**
     * A stored key that signs from {@code signsFrom} until {@code signsUntil} (excluded; empty: on). A
     * withdrawn key has no public key (it is never published) and is shown as signing from its creation.
     */
    private record RingKey(StoredKey stored, Instant signsFrom, Optional<Instant> signsUntil, JWK publicKey) {
        static RingKey revoked(StoredKey stored) {
            return new RingKey(stored, stored.createdAt(), stored.revokedAt(), null);
        }

        KeyState state(Instant now) {
            if (stored.isRevoked()) {
                return KeyState.REVOKED;
            }
            if (stored.verifiesUntil().filter(until -> !now.isBefore(until)).isPresent()) {
                return KeyState.EXPIRED;
            }
            if (now.isBefore(signsFrom)) {
                return KeyState.PENDING;
            }
            if (signsUntil.isEmpty() || now.isBefore(signsUntil.get())) {
                return KeyState.ACTIVE;
            }
            return KeyState.RETIRED;
        }

        KeyInfo info(Instant now) {
            return stored.info(state(now), signsFrom);
        }
    }

    /**
     * The public JWK set of {@code snapshot} for every instant in {@code [from, until)}: no key's
     * {@code verifiesUntil} lies inside that span, and that is the only instant at which a key
     * enters or leaves the set (a pending key is published already). {@code from} is the latest
     * expiry at or before the instant the set was computed for, so a clock set back is honoured
     * too; {@code until} is the earliest expiry after it; null means unbounded. Immutable. Threads
     * racing to replace a stale one each store a set that is correct for its span; a set of an
     * older snapshot is never served because the snapshot is compared by identity.
     */
    private record Published(Snapshot snapshot, Instant from, Instant until, JWKSet jwkSet) {
        static Published of(Snapshot snapshot, Instant now) {
            Instant from = null;
            Instant until = null;
            List<JWK> keys = new ArrayList<>();
            for (RingKey key : snapshot.keys()) {
                if (key.stored().isRevoked()) {
                    continue;
                }
                Instant expiry = key.stored().verifiesUntil().orElse(null);
                if (expiry == null) {
                    keys.add(key.publicKey());
                } else if (now.isBefore(expiry)) {
                    keys.add(key.publicKey());
                    until = until == null || expiry.isBefore(until) ? expiry : until;
                } else {
                    from = from == null || expiry.isAfter(from) ? expiry : from;
                }
            }
            return new Published(snapshot, from, until, new JWKSet(keys));
        }

        boolean covers(Instant now) {
            return (from == null || !now.isBefore(from)) && (until == null || now.isBefore(until));
        }
    }

    /** The private part of a key that signs from {@code signsFrom}. */
    private record Signer(Instant signsFrom, JWK privateKey) {}
}
