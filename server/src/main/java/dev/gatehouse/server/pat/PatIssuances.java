package dev.gatehouse.server.pat;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.pat.PersonalAccessTokens.IssuedPat;
import dev.gatehouse.server.store.BatchWrite;
import dev.gatehouse.server.store.WriteOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;

/**
 * Writes the personal access tokens of one group commit under the per-owner cap: takes every owner's
 * lock row (one batch, sorted), counts their active tokens (one query), admits issuances in queue
 * order while the owner stays under {@code maxActivePerUser} and refuses the rest (409 {@code
 * too_many_pats}, nothing written for them), then inserts the admitted rows and their audit events
 * (two batches). The cap is exact on any number of replicas: the count runs after the lock rows are
 * held, and the ones admitted earlier in the same batch are added to it. Thread-safe.
 */
final class PatIssuances implements BatchWrite<PatIssuances.Issuance, IssuedPat> {
    private final AuditLog audit;
    private final int maxActivePerUser;

    PatIssuances(AuditLog audit, int maxActivePerUser) {
        this.audit = requireNonNull(audit, "audit");
        this.maxActivePerUser = maxActivePerUser;
    }

    /** One token to record (handed back once committed), with its audit event. */
    record Issuance(IssuedPat issued, AuditEvent event) {
        Issuance {
            requireNonNull(issued, "issued");
            requireNonNull(event, "event");
        }

        PatRecord record() {
            return issued.record();
        }
    }

    @Override
    public List<WriteOutcome<IssuedPat>> write(Handle transaction, List<Issuance> items) {
        TreeSet<PatOwner> owners = new TreeSet<>();
        // The earliest issuance time of the batch (they are milliseconds apart): a token expiring
        // in between still counts, so the cap is never exceeded.
        Instant countAt = items.getFirst().record().createdAt();
        for (Issuance item : items) {
            owners.add(PatOwner.of(item.record()));
            countAt = item.record().createdAt().isBefore(countAt) ? item.record().createdAt() : countAt;
        }
        PatStore.lockOwners(transaction, owners, countAt);
        Map<PatOwner, Integer> active = PatStore.countActive(transaction, owners, countAt);

        List<WriteOutcome<IssuedPat>> outcomes = new ArrayList<>(items.size());
        List<PatRecord> admitted = new ArrayList<>(items.size());
        List<AuditEvent> events = new ArrayList<>(items.size());
        for (Issuance item : items) {
            PatRecord record = item.record();
            PatOwner owner = PatOwner.of(record);
            int held = active.get(owner);
            if (held >= maxActivePerUser) {
                outcomes.add(WriteOutcome.refused(new PatRefusedException(409, "too_many_pats", "You hold " + held
                        + " active personal access tokens in organization " + record.organization()
                        + " (expected: at most " + maxActivePerUser + "; revoke unused ones, or let them expire).")));
                continue;
            }
            active.put(owner, held + 1);
            admitted.add(record);
            events.add(item.event());
            outcomes.add(WriteOutcome.written(item.issued()));
        }
        PatStore.insertAll(transaction, admitted);
        audit.recordAll(transaction, events);
        return outcomes;
    }
}
