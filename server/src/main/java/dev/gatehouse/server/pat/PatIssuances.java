package dev.gatehouse.server.pat;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.pat.PersonalAccessTokens.IssuedPat;
import dev.gatehouse.server.store.BatchWrite;
import dev.gatehouse.server.store.WriteOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * Writes the personal access tokens of one group commit under the per-owner cap: takes every owner's
 * lock row (one batch, sorted), adding the batch's requests to the owner's upper bound of active
 * tokens there, reads the bounds (one query) and counts the active tokens of the owners whose bound
 * exceeds {@code maxActivePerUser} or is unknown (one query, if any); admits issuances in queue order
 * while the owner stays under the cap and refuses the rest (409 {@code too_many_pats}, nothing
 * written for them); sets the counted owners' bounds to count + admitted; then inserts the admitted
 * rows and their audit events (two batches). The cap is exact on any number of replicas: bounds and
 * counts are read after the lock rows are held, a bound is never below the true number (only
 * issuance raises it, and each adds its own), and the ones admitted earlier in the same batch are
 * added to it. An owner far below the cap is therefore never counted. Thread-safe.
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
        TreeMap<PatOwner, Integer> requested = new TreeMap<>();
        // The earliest issuance time of the batch (they are milliseconds apart): a token expiring
        // in between still counts, so the cap is never exceeded.
        Instant countAt = items.getFirst().record().createdAt();
        for (Issuance item : items) {
            requested.merge(PatOwner.of(item.record()), 1, Integer::sum);
            countAt = item.record().createdAt().isBefore(countAt) ? item.record().createdAt() : countAt;
        }
        PatStore.lockOwners(transaction, requested, countAt);
        // An owner whose bound, with this batch's requests added, stays within the cap is admitted
        // without counting; the others are counted, and the bound replaced by count + admitted.
        Map<PatOwner, Integer> bounds = PatStore.activeBounds(transaction, requested.keySet());
        List<PatOwner> toCount = new ArrayList<>();
        Map<PatOwner, Integer> active = new HashMap<>();
        requested.forEach((owner, count) -> {
            Integer bound = bounds.get(owner);
            if (bound != null && bound <= maxActivePerUser) {
                active.put(owner, bound - count);
            } else {
                toCount.add(owner);
            }
        });
        if (!toCount.isEmpty()) {
            active.putAll(PatStore.countActive(transaction, toCount, countAt));
        }

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
        Map<PatOwner, Integer> counted = new HashMap<>();
        toCount.forEach(owner -> counted.put(owner, active.get(owner)));
        PatStore.setActiveBounds(transaction, counted);
        PatStore.insertAll(transaction, admitted);
        audit.recordAll(transaction, events);
        return outcomes;
    }
}
