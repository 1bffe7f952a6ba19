package dev.gatehouse.server.tokens;

import static dev.gatehouse.server.http.Shown.quote;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.audit.AuditEvent.Outcome;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Withdraws a signing key ({@code gatehouse keys revoke KID}, {@code DELETE /admin/keys/{kid}}): from
 * then on it neither signs nor verifies nor is published, and every token it signed is refused,
 * including tokens a verifier remembers as already accepted.
 *
 * <p>In one transaction the key's row is marked revoked, the withdrawal is appended to the numbered
 * revocation log that every replica polls ({@link RevokedTokens}, every {@code
 * pat.revocationPollInterval}), and the audit event {@value #REVOKED} is recorded. This replica then
 * refuses the key's tokens and reloads its key ring at once; every other replica does both at its
 * next poll. So a withdrawal takes effect everywhere within the bound of a token's revocation.
 *
 * <p>The newest key cannot be withdrawn, since something must sign: rotate first ({@link
 * KeyRing#rotate()}), then withdraw the old key. That may be done at once, even while the new key is
 * still pending: the new key then signs at once, everywhere within the same bound. Withdrawing a
 * withdrawn key changes nothing and is not audited again.
 *
 * <p>Thread-safe; {@link #withdraw} blocks on the store.
 */
public final class KeyWithdrawal {
    /** The audit action of a withdrawal; the target is the {@code kid}. */
    public static final String REVOKED = "key.revoked";
    private static final Logger log = LoggerFactory.getLogger(KeyWithdrawal.class);

    private final Database database;
    private final KeyRing keyRing;
    private final RevokedTokens revoked;
    private final AuditLog audit;
    private final Clock clock;

    public KeyWithdrawal(Database database, KeyRing keyRing, RevokedTokens revoked, AuditLog audit, Clock clock) {
        this.database = requireNonNull(database, "database");
        this.keyRing = requireNonNull(keyRing, "keyRing");
        this.revoked = requireNonNull(revoked, "revoked");
        this.audit = requireNonNull(audit, "audit");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Withdraws {@code kid}, effective at once on this replica.
     *
     * @return the key, now {@linkplain KeyState#REVOKED revoked}
     * @throws KeyWithdrawalRefusedException when no key has that id, or it is the newest key
     */
    public KeyInfo withdraw(String kid, Actor actor, RequestOrigin origin) {
        requireNonNull(kid, "kid");
        requireNonNull(actor, "actor");
        requireNonNull(origin, "origin");
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Withdrawn withdrawn = database.jdbi().inTransaction(handle -> {
            StoredKey found = SigningKeyTable.find(handle, kid).orElseThrow(() -> new KeyWithdrawalRefusedException(
                    KeyWithdrawalRefusedException.Reason.UNKNOWN_KEY, "no signing key " + quote(kid)));
            if (found.isActive()) {
                throw new KeyWithdrawalRefusedException(KeyWithdrawalRefusedException.Reason.NEWEST_KEY,
                        "signing key " + quote(kid) + " is the newest key, and something must sign: rotate first"
                                + " (gatehouse keys rotate), then revoke it");
            }
            if (found.isRevoked() || !SigningKeyTable.markRevoked(handle, kid, now)) {
                return new Withdrawn(found, false);
            }
            long lastTokenExpires = found.verifiesUntil().orElseThrow().toEpochMilli();
            Revocations.recordKeyRevocation(handle, kid, lastTokenExpires);
            audit.record(handle, AuditEvent.of(now, actor, Optional.empty(), REVOKED, Optional.of(kid), origin,
                    Outcome.SUCCESS, Map.of("algorithm", found.algorithm(),
                            "created_at", found.createdAt().toString(),
                            "verified_until", found.verifiesUntil().orElseThrow().toString())));
            return new Withdrawn(found, true);
        });
        if (withdrawn.now()) {
            log.atWarn().addKeyValue("kid", kid).addKeyValue("actor", actor.subject())
                    .log("signing key withdrawn: every token it signed is refused from now on");
        }
        revoked.addKey(kid, withdrawn.key().verifiesUntil().orElseThrow());
        keyRing.reload();
        return keyRing.list().stream().filter(info -> info.kid().equals(kid)).findFirst().orElseThrow();
    }

    /** The key withdrawn, and whether by this call (rather than before). */
    private record Withdrawn(StoredKey key, boolean now) {}
}
