package dev.gatehouse.server.tokens;

import dev.gatehouse.server.testing.MutableClock;
import static dev.gatehouse.server.tokens.TokenFixtures.CLOCK_SKEW;
import static dev.gatehouse.server.tokens.TokenFixtures.MAX_TTL;
import static dev.gatehouse.server.tokens.TokenFixtures.REFRESH_INTERVAL;
import static dev.gatehouse.server.tokens.TokenFixtures.TOKENS;
import static dev.gatehouse.server.tokens.TokenFixtures.keys;
import static dev.gatehouse.server.tokens.TokenFixtures.randomKek;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.gatehouse.server.crypto.KeyEncryptionKey;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.TestDatabases.Kind;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KeyRingTest {
    private static final Instant START = Instant.parse("2026-11-22T10:00:00Z");

    @TempDir
    Path tempDir;

    private final MutableClock clock = new MutableClock(START);

    @ParameterizedTest
    @EnumSource(Kind.class)
    void firstStart_generatesExactlyOneActiveKey_whichSignsAtOnce(Kind kind) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            Database database = store.open();

            KeyRing ring = KeyRing.open(database, randomKek(), keys(SigningAlgorithm.ES256), TOKENS, clock);

            JWK active = ring.activeSigningKey();
            assertThat(ring.isReady()).isTrue();
            assertThat(active).isInstanceOf(ECKey.class);
            assertThat(((ECKey) active).getCurve()).isEqualTo(Curve.P_256);
            assertThat(active.isPrivate()).isTrue();
            assertThat(active.getKeyID()).matches("[A-Za-z0-9_-]{16}");
            assertThat(ring.list()).containsExactly(new KeyInfo(active.getKeyID(), "ES256", KeyState.ACTIVE,
                    START, START, Optional.empty(), Optional.empty(), Optional.empty()));
            assertThat(ring.publicJwkSet().getKeys()).containsExactly(active.toPublicJWK());
            assertThat(rows(database)).containsExactly(Map.of("kid", active.getKeyID(), "state", "active"));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void eddsa_generatesEd25519Key(Kind kind) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            KeyRing ring = KeyRing.open(store.open(), randomKek(), keys(SigningAlgorithm.EdDSA), TOKENS, clock);

            assertThat(ring.activeSigningKey()).isInstanceOf(OctetKeyPair.class);
            assertThat(((OctetKeyPair) ring.activeSigningKey()).getCurve()).isEqualTo(Curve.Ed25519);
            assertThat(ring.list()).singleElement().extracting(KeyInfo::algorithm).isEqualTo("EdDSA");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void restart_loadsTheSameKey(Kind kind) throws Exception {
        KeyEncryptionKey kek = randomKek();
        try (TestStore store = kind.create(tempDir)) {
            KeyRing first = KeyRing.open(store.open(), kek, keys(SigningAlgorithm.ES256), TOKENS, clock);
            JWK generated = first.activeSigningKey();
            first.close();

            KeyRing second = KeyRing.open(store.open(), kek, keys(SigningAlgorithm.ES256), TOKENS, clock);

            assertThat(second.activeSigningKey()).isEqualTo(generated);
            assertThat(second.list()).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void replicasRacingOnFirstStart_endWithOneActiveKey(Kind kind) throws Exception {
        int replicas = 4;
        KeyEncryptionKey kek = randomKek();
        try (TestStore store = kind.create(tempDir)) {
            Database migrated = store.open();
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService executor = Executors.newFixedThreadPool(replicas);
            List<Future<KeyRing>> rings = new ArrayList<>();
            try {
                for (int i = 0; i < replicas; i++) {
                    rings.add(executor.submit(() -> {
                        Database database = store.open();
                        start.await();
                        return KeyRing.open(database, kek, keys(SigningAlgorithm.ES256), TOKENS, clock);
                    }));
                }
                start.countDown();
                List<String> activeKids = new ArrayList<>();
                for (Future<KeyRing> ring : rings) {
                    activeKids.add(ring.get().activeSigningKey().getKeyID());
                }

                assertThat(activeKids).hasSize(replicas).containsOnly(activeKids.getFirst());
                assertThat(rows(migrated)).containsExactly(Map.of("kid", activeKids.getFirst(), "state", "active"));
            } finally {
                executor.shutdownNow();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rotate_publishesNewKeyAtOnce_butOldKeySignsUntilPropagationDelayHasPassed(Kind kind) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            KeyRing ring = KeyRing.open(store.open(), randomKek(), keys(SigningAlgorithm.ES256), TOKENS, clock);
            JWK old = ring.activeSigningKey();
            clock.advance(Duration.ofMinutes(10));
            Instant rotatedAt = START.plus(Duration.ofMinutes(10));
            Instant signsFrom = rotatedAt.plus(REFRESH_INTERVAL);

            KeyInfo rotated = ring.rotate();

            String kid = rotated.kid();
            assertThat(kid).isNotEqualTo(old.getKeyID());
            assertThat(rotated).isEqualTo(new KeyInfo(kid, "ES256", KeyState.PENDING, rotatedAt, signsFrom,
                    Optional.empty(), Optional.empty(), Optional.empty()));
            assertThat(ring.activeSigningKey()).isEqualTo(old);
            assertThat(ring.publicJwkSet().getKeys()).extracting(JWK::getKeyID)
                    .containsExactlyInAnyOrder(kid, old.getKeyID());
            assertThat(verificationKey(ring, kid)).singleElement().extracting(JWK::isPrivate).isEqualTo(false);
            assertThat(ring.list()).extracting(KeyInfo::kid, KeyInfo::state).containsExactly(
                    tuple(kid, KeyState.PENDING), tuple(old.getKeyID(), KeyState.ACTIVE));

            clock.set(signsFrom.minusMillis(1));
            assertThat(ring.activeSigningKey()).isEqualTo(old);
            assertThat(ring.list()).extracting(KeyInfo::state).containsExactly(KeyState.PENDING, KeyState.ACTIVE);

            clock.set(signsFrom);
            JWK current = ring.activeSigningKey();
            assertThat(current.getKeyID()).isEqualTo(kid);
            assertThat(current.isPrivate()).isTrue();
            assertThat(current.toPublicJWK()).isEqualTo(ring.publicJwkSet().getKeyByKeyId(kid));
            assertThat(ring.list()).extracting(KeyInfo::state).containsExactly(KeyState.ACTIVE, KeyState.RETIRED);
            assertThat(verificationKey(ring, old.getKeyID())).contains(old.toPublicJWK());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rotate_retiredKeyVerifiesUntilDelayPlusMaxTtlPlusSkew_thenExpires(Kind kind) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            Database database = store.open();
            KeyRing ring = KeyRing.open(database, randomKek(), keys(SigningAlgorithm.ES256), TOKENS, clock);
            JWK old = ring.activeSigningKey();
            clock.advance(Duration.ofMinutes(10));
            Instant retiredAt = START.plus(Duration.ofMinutes(10));
            Instant verifiesUntil = retiredAt.plus(REFRESH_INTERVAL).plus(MAX_TTL).plus(CLOCK_SKEW);

            String kid = ring.rotate().kid();

            assertThat(ring.list()).containsExactly(
                    new KeyInfo(kid, "ES256", KeyState.PENDING, retiredAt, retiredAt.plus(REFRESH_INTERVAL),
                            Optional.empty(), Optional.empty(), Optional.empty()),
                    new KeyInfo(old.getKeyID(), "ES256", KeyState.ACTIVE, START, START, Optional.of(retiredAt),
                            Optional.of(verifiesUntil), Optional.empty()));
            assertThat(retiredAtAndVerifyUntil(database, old.getKeyID()))
                    .containsExactly(retiredAt.toEpochMilli(), verifiesUntil.toEpochMilli());

            clock.set(verifiesUntil.minusMillis(1));
            assertThat(ring.list()).extracting(KeyInfo::state).containsExactly(KeyState.ACTIVE, KeyState.RETIRED);
            assertThat(verificationKey(ring, old.getKeyID())).contains(old.toPublicJWK());

            clock.set(verifiesUntil);
            JWK current = ring.activeSigningKey();
            assertThat(current.getKeyID()).isEqualTo(kid);
            assertThat(ring.list()).extracting(KeyInfo::state).containsExactly(KeyState.ACTIVE, KeyState.EXPIRED);
            assertThat(ring.publicJwkSet().getKeys()).containsExactly(current.toPublicJWK());
            assertThat(verificationKey(ring, old.getKeyID())).isEmpty();
            assertThat(verificationKey(ring, kid)).contains(current.toPublicJWK());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void replicaReloadingWithinPropagationDelay_signsWithOldKeyToo_thenSwitchesAtTheSameInstant(Kind kind)
            throws Exception {
        KeyEncryptionKey kek = randomKek();
        try (TestStore store = kind.create(tempDir)) {
            KeyRing replicaA = KeyRing.open(store.open(), kek, keys(SigningAlgorithm.ES256), TOKENS, clock);
            KeyRing replicaB = KeyRing.open(store.open(), kek, keys(SigningAlgorithm.ES256), TOKENS, clock);
            JWK old = replicaB.activeSigningKey();

            KeyInfo rotated = replicaA.rotate();

            // B has not reloaded: it does not know the new key yet, and nobody signs with it.
            assertThat(verificationKey(replicaB, rotated.kid())).isEmpty();
            assertThat(replicaA.activeSigningKey()).isEqualTo(old);
            assertThat(replicaB.activeSigningKey()).isEqualTo(old);

            clock.set(rotated.signsFrom().minusMillis(1));
            replicaB.reload();
            assertThat(verificationKey(replicaB, rotated.kid())).isNotEmpty();
            assertThat(replicaB.activeSigningKey()).isEqualTo(old);
            assertThat(replicaB.list()).isEqualTo(replicaA.list());

            clock.set(rotated.signsFrom());
            assertThat(replicaA.activeSigningKey().getKeyID()).isEqualTo(rotated.kid());
            assertThat(replicaB.activeSigningKey()).isEqualTo(replicaA.activeSigningKey());
            assertThat(verificationKey(replicaB, old.getKeyID())).isNotEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void replicaOpeningAfterPropagationDelay_signsWithNewKey(Kind kind) throws Exception {
        KeyEncryptionKey kek = randomKek();
        try (TestStore store = kind.create(tempDir)) {
            KeyRing replicaA = KeyRing.open(store.open(), kek, keys(SigningAlgorithm.ES256), TOKENS, clock);
            KeyInfo rotated = replicaA.rotate();
            clock.set(rotated.signsFrom());

            KeyRing replicaB = KeyRing.open(store.open(), kek, keys(SigningAlgorithm.ES256), TOKENS, clock);

            assertThat(replicaB.activeSigningKey()).isEqualTo(replicaA.activeSigningKey());
            assertThat(replicaB.activeSigningKey().getKeyID()).isEqualTo(rotated.kid());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rotationsWithinPropagationDelay_handOverOneAfterTheOther(Kind kind) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            KeyRing ring = KeyRing.open(store.open(), randomKek(), keys(SigningAlgorithm.ES256), TOKENS, clock);
            String first = ring.activeSigningKey().getKeyID();
            clock.advance(Duration.ofSeconds(1));
            KeyInfo second = ring.rotate();
            clock.advance(Duration.ofSeconds(5));

            KeyInfo third = ring.rotate();

            assertThat(second.signsFrom()).isEqualTo(START.plusSeconds(1).plus(REFRESH_INTERVAL));
            assertThat(third.signsFrom()).isEqualTo(START.plusSeconds(6).plus(REFRESH_INTERVAL));
            assertThat(ring.list()).extracting(KeyInfo::kid, KeyInfo::state).containsExactly(
                    tuple(third.kid(), KeyState.PENDING),
                    tuple(second.kid(), KeyState.PENDING),
                    tuple(first, KeyState.ACTIVE));
            assertThat(ring.activeSigningKey().getKeyID()).isEqualTo(first);

            clock.set(second.signsFrom());
            assertThat(ring.activeSigningKey().getKeyID()).isEqualTo(second.kid());
            assertThat(ring.list()).extracting(KeyInfo::state)
                    .containsExactly(KeyState.PENDING, KeyState.ACTIVE, KeyState.RETIRED);

            clock.set(third.signsFrom());
            assertThat(ring.activeSigningKey().getKeyID()).isEqualTo(third.kid());
            assertThat(ring.list()).extracting(KeyInfo::state)
                    .containsExactly(KeyState.ACTIVE, KeyState.RETIRED, KeyState.RETIRED);
            assertThat(ring.publicJwkSet().getKeys()).hasSize(3);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void privateKey_isStoredSealedWithKidAsAssociatedData(Kind kind) throws Exception {
        KeyEncryptionKey kek = randomKek();
        try (TestStore store = kind.create(tempDir)) {
            Database database = store.open();
            ECKey active = (ECKey) KeyRing.open(database, kek, keys(SigningAlgorithm.ES256), TOKENS, clock)
                    .activeSigningKey();
            String d = active.getD().toString();

            Map<String, Object> row = database.jdbi().withHandle(handle -> handle.createQuery(
                            "SELECT public_jwk, private_key_sealed FROM signing_keys").mapToMap().one());

            String publicJwk = (String) row.get("public_jwk");
            byte[] sealed = Base64.getDecoder().decode((String) row.get("private_key_sealed"));
            assertThat(JWK.parse(publicJwk)).isEqualTo(active.toPublicJWK());
            assertThat(publicJwk).doesNotContain(d).doesNotContain("\"d\"");
            assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain(d).doesNotContain("\"d\"");
            byte[] opened = kek.open(sealed, active.getKeyID().getBytes(StandardCharsets.UTF_8));
            assertThat(JWK.parse(new String(opened, StandardCharsets.UTF_8))).isEqualTo(active);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void wrongKeyEncryptionKey_failsWithClearError(Kind kind) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            String kid = KeyRing.open(store.open(), randomKek(), keys(SigningAlgorithm.ES256), TOKENS, clock)
                    .activeSigningKey().getKeyID();
            Database database = store.open();

            assertThatThrownBy(() -> KeyRing.open(database, randomKek(), keys(SigningAlgorithm.ES256), TOKENS, clock))
                    .isInstanceOf(KeyRingException.class)
                    .hasMessage("cannot decrypt signing key " + kid + ": wrong key-encryption key? "
                            + "sealed data does not authenticate (tampered, sealed for other associated data, "
                            + "or under another key-encryption key)")
                    .hasNoCause();
            assertThat(rows(database)).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void publicJwkSet_isBuiltOncePerSnapshot_evenAcrossPendingKeyStartingToSign(Kind kind) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            KeyRing ring = KeyRing.open(store.open(), randomKek(), keys(SigningAlgorithm.ES256), TOKENS, clock);
            JWKSet first = ring.publicJwkSet();
            assertThat(ring.publicJwkSet()).isSameAs(first);

            KeyInfo rotated = ring.rotate();

            JWKSet afterRotation = ring.publicJwkSet();
            assertThat(afterRotation).isNotSameAs(first);
            assertThat(afterRotation.getKeys()).extracting(JWK::getKeyID).contains(rotated.kid());
            clock.set(rotated.signsFrom());
            assertThat(ring.activeSigningKey().getKeyID()).isEqualTo(rotated.kid());
            assertThat(ring.publicJwkSet()).isSameAs(afterRotation);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void publicJwkSet_afterReload_publishesKeyRotatedByAnotherReplica(Kind kind) throws Exception {
        KeyEncryptionKey kek = randomKek();
        try (TestStore store = kind.create(tempDir)) {
            KeyRing replicaA = KeyRing.open(store.open(), kek, keys(SigningAlgorithm.ES256), TOKENS, clock);
            KeyRing replicaB = KeyRing.open(store.open(), kek, keys(SigningAlgorithm.ES256), TOKENS, clock);
            JWKSet before = replicaB.publicJwkSet();

            KeyInfo rotated = replicaA.rotate();
            assertThat(replicaB.publicJwkSet()).isSameAs(before);
            assertThat(verificationKey(replicaB, rotated.kid())).isEmpty();
            replicaB.reload();

            assertThat(replicaB.publicJwkSet().getKeys()).extracting(JWK::getKeyID)
                    .containsExactlyElementsOf(replicaA.publicJwkSet().getKeys().stream().map(JWK::getKeyID).toList());
            assertThat(verificationKey(replicaB, rotated.kid())).isNotEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void publicJwkSet_dropsRetiredKeyExactlyAtVerifiesUntil_andFollowsTheClockBack(Kind kind) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            KeyRing ring = KeyRing.open(store.open(), randomKek(), keys(SigningAlgorithm.ES256), TOKENS, clock);
            JWK old = ring.activeSigningKey();
            clock.advance(Duration.ofMinutes(10));
            ring.rotate();
            Instant verifiesUntil = ring.list().stream()
                    .filter(key -> key.kid().equals(old.getKeyID()))
                    .findFirst().orElseThrow().verifiesUntil().orElseThrow();

            clock.set(verifiesUntil.minusMillis(1));
            JWKSet beforeExpiry = ring.publicJwkSet();
            assertThat(beforeExpiry.getKeyByKeyId(old.getKeyID())).isNotNull();
            assertThat(ring.publicJwkSet()).isSameAs(beforeExpiry);

            clock.set(verifiesUntil);
            assertThat(ring.publicJwkSet().getKeyByKeyId(old.getKeyID())).isNull();
            assertThat(verificationKey(ring, old.getKeyID())).isEmpty();
            clock.advance(Duration.ofDays(365));
            assertThat(ring.publicJwkSet().getKeys()).hasSize(1);

            clock.set(verifiesUntil.minusMillis(1));
            assertThat(ring.publicJwkSet().getKeyByKeyId(old.getKeyID())).isNotNull();
            assertThat(verificationKey(ring, old.getKeyID())).contains(old.toPublicJWK());
            assertThat(ring.publicJwkSet().getKeys()).extracting(JWK::getKeyID)
                    .containsExactlyElementsOf(beforeExpiry.getKeys().stream().map(JWK::getKeyID).toList());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void close_stopsServingKeys(Kind kind) throws Exception {
        try (TestStore store = kind.create(tempDir)) {
            KeyRing ring = KeyRing.open(store.open(), randomKek(), keys(SigningAlgorithm.ES256), TOKENS, clock);

            ring.close();

            assertThat(ring.isReady()).isFalse();
            assertThatThrownBy(ring::activeSigningKey)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("key ring is closed");
        }
    }

    private static List<JWK> verificationKey(KeyRing ring, String kid) throws Exception {
        return ring.verificationKeys().get(new JWKSelector(new JWKMatcher.Builder().keyID(kid).build()), null);
    }

    private static List<Long> retiredAtAndVerifyUntil(Database database, String kid) {
        return database.jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT retired_at, verify_until FROM signing_keys WHERE kid = :kid")
                .bind("kid", kid)
                .map((rows, context) -> List.of(rows.getLong("retired_at"), rows.getLong("verify_until")))
                .one());
    }

    private static List<Map<String, Object>> rows(Database database) {
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT kid, state FROM signing_keys")
                .mapToMap()
                .list());
    }

    @Test
    void newKids_neverStartWithADash_soTheCliReadsThemAsArguments() {
        for (int i = 0; i < 10_000; i++) {
            assertThat(KeyRing.newKid()).doesNotStartWith("-").matches("[A-Za-z0-9_-]{16}");
        }
    }
}
